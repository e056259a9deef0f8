"""kartoteka.access: who may see what. For now one rule (issue 16): public fields only, stated in policy.py."""
