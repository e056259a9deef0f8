"""kartoteka.store"""
