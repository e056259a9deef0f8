"""Sanity checks on a trained model: EM can converge to a wrong solution without saying so.

EM finds *a* two-class mixture in the blocked pairs. When a training block holds too few true matches, the
"match" class it finds is something else (same unit and birth year, say) and the name levels come out
backwards; when the block holds few records with a field (death dates where no personal file is imported),
that field's levels come out as noise (m = 0 for "same day", m ≈ u for "same camp"). These checks read the
trained parameters, put back the prior m values of a comparison whose trained ones cannot be right, and say
plainly what looks wrong and what to do.
"""

from __future__ import annotations

import math
from typing import Any

# The share of matches EM may find in a training block and still be trusted: Splink's guidance is that a
# training block should hold between about 1% and 99% matches.
MIN_BLOCK_MATCH_SHARE = 0.01
MAX_BLOCK_MATCH_SHARE = 0.98
# An agreeing level (same reading, same day, same camp) must be at least this many times likelier between
# records of one person than between two random records. Every level of the full model is 3x or more (same
# rank, the weakest, about 3.7x on the simulated archive); "same camp" learned as 0.88x from a block with few
# matches among records with camps is what this catches.
MIN_AGREEMENT_BAYES_FACTOR = 2.0


def _comparison_name(comparison: dict[str, Any]) -> str:
    return str(comparison.get("output_column_name"))


def _scored_levels(comparison: dict[str, Any]) -> list[dict[str, Any]]:
    return [lv for lv in comparison.get("comparison_levels", []) if not lv.get("is_null_level")]


def level_problems(comparison: dict[str, Any]) -> list[str]:
    """What cannot be right about one comparison's trained m values (empty: nothing)."""
    name, levels = _comparison_name(comparison), _scored_levels(comparison)
    problems = [f"m={lv['m_probability']} of its '{lv.get('label_for_charts')}' level is outside [0, 1]"
                for lv in levels if lv.get("m_probability") is not None and not 0.0 <= lv["m_probability"] <= 1.0]
    if problems or len(levels) < 2:
        return problems
    top, last = levels[0], levels[-1]
    m_top, u_top = top.get("m_probability"), top.get("u_probability")
    if m_top is not None and u_top is not None and m_top < MIN_AGREEMENT_BAYES_FACTOR * u_top:
        problems.append(f"'{top.get('label_for_charts')}' {name} is hardly evidence of the same person "
                        f"(m={m_top:.3g} against u={u_top:.3g})")
    m_last, u_last = last.get("m_probability"), last.get("u_probability")
    if m_last is not None and u_last is not None and m_last >= u_last:
        problems.append(f"an entirely different {name} is evidence of the same person "
                        f"(m={m_last:.3g} >= u={u_last:.3g})")
    return problems


def _neutral(comparison: dict[str, Any]) -> bool:
    """A comparison with u = m on every level: it weighs nothing (see linkage.training.fill_unobserved_u)."""
    pairs = [(lv.get("m_probability"), lv.get("u_probability")) for lv in _scored_levels(comparison)]
    return all(m is not None and u is not None and math.isclose(m, u, rel_tol=1e-9) for m, u in pairs)


def _block_problems(training: dict[str, dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    for rule, summary in training.items():
        share = summary.get("lambda")
        kept = (" Its parameters were discarded and the prior ones kept." if summary.get("reverted")
                else " Its parameters may describe something other than the same person.")
        if share is not None and share < MIN_BLOCK_MATCH_SHARE:
            problems.append(
                f"EM training block [{rule}] holds too few true matches (EM estimated {share:.2%} of its pairs)."
                f"{kept} Add records from more sources or train on a tighter block "
                "(see docs/how-to/tune-linkage.md).")
        elif share is not None and share > MAX_BLOCK_MATCH_SHARE:
            problems.append(
                f"EM training block [{rule}] found no split between matches and non-matches (EM called "
                f"{share:.2%} of its pairs matches).{kept}")
    return problems


def check_trained_model(model: dict[str, Any], training: dict[str, dict[str, Any]]) -> list[str]:
    """Every problem found in the trained parameters, as sentences that say what to do next (empty: none).

    Every comparison is checked: its agreeing level (the first after the null level) must be real evidence
    for a match, its last ("else") level evidence against, and every m within [0, 1]."""
    problems = _block_problems(training)
    for comparison in model.get("comparisons", []):
        if _neutral(comparison):
            continue  # it weighs nothing (no random pair compared it), and the training report says so
        found = level_problems(comparison)
        if found:
            problems.append(
                f"the model says {'; and '.join(found)}: its {_comparison_name(comparison)} weights cannot be "
                "right (EM converged on a wrong split, or the field hardly varies in this archive). Do not rely "
                "on this run's persons: re-train with records from more sources, or load a model trained on a "
                "fuller archive with --model.")
    return problems
