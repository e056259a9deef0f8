"""The gazetteer: camps with their numbering systems and dates, places in every script, burial sites, and
coordinates that say where they came from (issue 17). ``types`` is the contract the map and the numbers read."""
