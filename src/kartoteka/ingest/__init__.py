"""kartoteka.ingest"""
