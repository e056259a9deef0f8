"""Sanity checks on a trained model: EM can converge to a wrong solution without saying so.

EM finds *a* two-class mixture in the blocked pairs. When a training block holds too few true matches, the
"match" class it finds is something else (same unit and birth year, say) and the name levels come out
backwards. These checks read the trained parameters and say plainly what looks wrong and what to do.
"""

from __future__ import annotations

from typing import Any

# The share of matches EM may find in a training block and still be trusted: Splink's guidance is that a
# training block should hold between about 1% and 99% matches.
MIN_BLOCK_MATCH_SHARE = 0.01
MAX_BLOCK_MATCH_SHARE = 0.98
NAME_COMPARISONS = ("sn", "gn")


def _levels(model: dict[str, Any], name: str) -> list[dict[str, Any]]:
    for comparison in model.get("comparisons", []):
        if comparison.get("output_column_name") == name:
            return [lv for lv in comparison.get("comparison_levels", []) if not lv.get("is_null_level")]
    return []


def check_trained_model(model: dict[str, Any], training: dict[str, dict[str, Any]]) -> list[str]:
    """Every problem found in the trained parameters, as sentences that say what to do next (empty: none)."""
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
    for name in NAME_COMPARISONS:
        levels = _levels(model, name)
        if not levels:
            continue
        top, last = levels[0], levels[-1]
        m_top, u_top = top.get("m_probability"), top.get("u_probability")
        if m_top is not None and u_top is not None and m_top <= u_top:
            problems.append(
                f"the trained model says an exact {name} reading is no evidence of the same person "
                f"(m={m_top:.3g} <= u={u_top:.3g}); EM has converged on the wrong split. Re-train with more "
                "data, or load a model trained on a larger archive with --model.")
        m_last, u_last = last.get("m_probability"), last.get("u_probability")
        if m_last is not None and u_last is not None and m_last >= u_last:
            problems.append(
                f"the trained model says entirely different {name} readings are evidence of the same person "
                f"(m={m_last:.3g} >= u={u_last:.3g}); the name comparison is backwards.")
    for comparison in model.get("comparisons", []):
        for level in comparison.get("comparison_levels", []):
            m = level.get("m_probability")
            if m is not None and not 0.0 <= m <= 1.0:
                problems.append(f"{comparison.get('output_column_name')}: m probability {m} is out of [0, 1]")
    return problems
