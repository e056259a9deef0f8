"""kartoteka.stats: numbers that say where they come from (issue 17, section 5).

Counts of the current run's persons (by camp as the gazetteer resolves it, by the camp's region, by prefecture,
deaths by month, persons held, dead and repatriated by year), the number of distinct persons with an interval
from the match probabilities, and every published estimate beside them with its source (bundled copies of the
reference files under ``data/``).

    >>> from kartoteka.stats import service
    >>> figures = service.statistics(store)     # cached per run and review state
    >>> figures.to_dict()                        # what `kartoteka stats --json` and /api/v1/stats answer
"""
