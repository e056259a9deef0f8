"""kartoteka.linkage"""
