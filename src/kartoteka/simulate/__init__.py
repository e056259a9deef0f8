"""kartoteka.simulate"""
