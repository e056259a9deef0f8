"""Domain types, the one error type, and settings. Depends on nothing else in kartoteka."""
