"""kartoteka.names"""
