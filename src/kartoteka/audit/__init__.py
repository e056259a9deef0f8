"""kartoteka.audit: the append-only log of who saw or changed what, when and from where (see core)."""
