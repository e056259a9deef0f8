"""Training the model so that it never loses a comparison silently, and says what it learned from what.

    train(features, table, dialect) -> (model, TrainingReport)

Every EM session starts from a copy of the model as it stands and only its results for the comparisons that
session can train are taken back, so a block that fails (no pairs in a file without a unit column, no split
between matches and non-matches) costs nothing: the next block is tried. Each comparison is trained by the
first block that can train it; one that no block trains keeps its prior m values, and the report says why. The
prior (the chance that two records are one person) is estimated from the data at hand by a deterministic rule,
and refused when EM's own estimate disagrees with it by orders of magnitude.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from kartoteka.core.errors import KartotekaError
from kartoteka.linkage.checks import MIN_BLOCK_MATCH_SHARE, level_problems
from kartoteka.linkage.model import TRAINING_BLOCKS, TrainingBlock, comparison_columns
from kartoteka.linkage.review_labels import LABEL_WEIGHT_OF_EM, learn_m_from_labels

# EM learns as well from a million pairs as from a hundred million (Splink samples records on both sides); on
# 100,000 cards an EM session on 3 million pairs took 12.6 s.
EM_MAX_PAIRS = 1e6
# u values from five random pairs per record (at least 100,000, at most 2 million): on 100,000 cards twenty took
# 7.9 s, ten 4.4 s.
U_PAIRS_PER_RECORD, U_MAX_PAIRS = 5, 2e6
# A block where fewer than this share of the pairs are expected to be matches (from the data's prior and the
# m values of what it fixes) is not worth an EM session: EM would find no split there anyway.
MIN_EXPECTED_SHARE = 0.005
# EM's m values are drawn toward the priors as if the priors were this many matches seen: a block with few
# matches (a few hundred records) moves them a little, one with thousands sets them.
PRIOR_MATCHES = 20
# The deterministic estimate of the prior needs at least this many agreeing pairs; with fewer, the prior is
# the usual 1.5 partners per record.
MIN_RULE_PAIRS = 10
# EM's estimate of the prior and the deterministic one may differ by this factor before the run is stopped.
PRIOR_TOLERANCE = 100.0
# No level is impossible between records of one man: its m is at least this (Splink refuses m = 0).
M_FLOOR = 1e-6
# A column held by fewer records than this share does not join the deterministic rule of the prior.
RULE_COLUMN_SHARE = 0.5


@dataclass
class ComparisonFate:
    """What became of one comparison: "trained" (by which block), "prior" or "neutral" (and why)."""

    name: str
    fate: str
    block: str | None = None
    why: str = ""


@dataclass
class TrainingReport:
    """The prior, each comparison's fate, each block tried: printed by `link` and saved with the run."""

    prior: float
    prior_source: str
    comparisons: list[ComparisonFate] = field(default_factory=list)
    blocks: list[dict[str, Any]] = field(default_factory=list)
    labels: dict[str, Any] | None = None  # what the reviewed pairs taught (review_labels.LabelReport.to_dict)
    label_lines: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)

    def lines(self) -> list[str]:
        """The report as a user reads it after a link."""
        one_in = f"1 in {round(1 / self.prior):,}" if self.prior > 0 else "0"
        out = [f"prior: {self.prior:.3g} ({one_in} pairs of records is one person; {self.prior_source})"]
        trained = [c for c in self.comparisons if c.fate == "trained"]
        by_block: dict[str, list[str]] = {}
        for fate in trained:
            by_block.setdefault(fate.block or "?", []).append(fate.name)
        for block, names in by_block.items():
            out.append(f"trained: {', '.join(names)} (EM on pairs with the same {block})")
        for fate in self.comparisons:
            if fate.fate != "trained":
                kept = {"prior": "prior m values", "neutral": "no weight (neutral)"}.get(fate.fate, fate.fate)
                out.append(f"{fate.name}: {kept}, {fate.why}")
        return out + self.label_lines


def _frame_pairs(features: pd.DataFrame, columns: tuple[str, ...]) -> int:
    """How many pairs of records agree on every one of `columns` (none blank)."""
    held = features[list(columns)].dropna()
    if held.empty:
        return 0
    sizes = held.groupby(list(columns), sort=False, observed=True).size().to_numpy(dtype=float)
    return int((sizes * (sizes - 1) / 2).sum())


def _comparison(model: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in model["comparisons"] if c["output_column_name"] == name)


def _levels(comparison: dict[str, Any]) -> list[dict[str, Any]]:
    return [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]


def _held(features: pd.DataFrame, name: str) -> int:
    """How many records hold the columns a comparison reads (all of them)."""
    columns = [c for c in comparison_columns(name) if c in features.columns]
    if not columns:
        return 0
    held = features[columns].notna().all(axis=1)
    if name == "camp":  # camps are never compared between two cards
        held &= features["kind"].ne("card")
    return int(held.sum())


def _unheld(features: pd.DataFrame, name: str) -> str:
    if name == "camp" and features["camp"].notna().any():
        return "camps are not compared between two cards, and every record with a camp is a card"
    return "no record holds it"


# ------------------------------------------------------------------------------------------------- u values
def fill_unobserved_u(model: dict[str, Any], sampled_pairs: float) -> list[str]:
    """Give every level a u: a level no sampled random pair fell in gets 1 / pairs sampled (it is rare among
    random pairs, not impossible); a comparison no random pair compared at all (its column blank on nearly
    every record) gets u = m on every level, so it weighs nothing until a model trained elsewhere is loaded.
    Returns the names of those neutral comparisons."""
    neutral = []
    floor = 1.0 / max(sampled_pairs, 1.0)
    for comparison in model["comparisons"]:
        levels = _levels(comparison)
        observed = [lv.get("u_probability") for lv in levels]
        if all(u is None or u <= 0 or math.isnan(u) for u in observed):
            for level in levels:
                level["u_probability"] = level["m_probability"]
            neutral.append(comparison["output_column_name"])
            continue
        for level in levels:
            u = level.get("u_probability")
            if u is None or u <= 0 or math.isnan(u):
                level["u_probability"] = floor
        total = sum(lv["u_probability"] for lv in levels)
        for level in levels:
            level["u_probability"] = level["u_probability"] / total
    return neutral


# ------------------------------------------------------------------------------------------------- m values
def monotone_bayes_factors(comparison: dict[str, Any]) -> None:
    """Make the levels' Bayes factors fall from the first to the last: the levels are ordered from the
    strongest agreement to none, and EM on a thin block can make a weaker level outweigh a stronger one."""
    levels = _levels(comparison)
    ceiling = math.inf
    for level in levels:
        level["m_probability"] = max(level["m_probability"], M_FLOOR)
        m, u = level["m_probability"], level["u_probability"]
        factor = m / u if u else math.inf
        if factor > ceiling:
            level["m_probability"] = max(ceiling * u, M_FLOOR)
        ceiling = min(ceiling, level["m_probability"] / u if u else ceiling)
    total = sum(lv["m_probability"] for lv in levels)
    for level in levels:
        level["m_probability"] = level["m_probability"] / total


def _smoothed(trained: dict[str, Any], prior: dict[str, Any], matches: float) -> list[float]:
    """The trained m values of a comparison drawn toward its prior ones by PRIOR_MATCHES."""
    values = []
    for level, prior_level in zip(_levels(trained), _levels(prior), strict=True):
        m = level.get("m_probability")
        m = 0.0 if m is None or math.isnan(m) else m
        values.append((matches * m + PRIOR_MATCHES * prior_level["m_probability"]) / (matches + PRIOR_MATCHES))
    total = sum(values) or 1.0
    return [v / total for v in values]


# --------------------------------------------------------------------------------------------------- EM
def _em(table: Any, model: dict[str, Any], block: TrainingBlock) -> tuple[dict[str, Any], float] | str:
    """One EM session on a copy of `model`: the trained copy and EM's share of matches, or why it failed."""
    from splink import Linker
    from splink.internals.exceptions import EMTrainingException

    linker = Linker(table, copy.deepcopy(model), log_level=None, validate_settings=False)  # validated once
    try:
        session = linker.training.estimate_parameters_using_expectation_maximisation(
            block.sql, estimate_without_term_frequencies=True, max_pairs=EM_MAX_PAIRS)
    except EMTrainingException:
        return "no pairs"
    except ValueError as exc:  # Splink refuses a level EM drove to m = 0 (a degenerate split)
        return f"EM failed ({str(exc).split('.')[0]})"
    share = float(session.core_model_settings.probability_two_random_records_match)
    return linker.misc.save_model_to_json(), share


def _note(fates: dict[str, ComparisonFate], names: list[str], why: str) -> None:
    """Add why a block did not train `names` to their fates."""
    for name in names if why else ():
        fates[name].why += f"{'; ' if fates[name].why else ''}{why}"


def _train_group(table: Any, model: dict[str, Any], priors: dict[str, Any], group: tuple[TrainingBlock, ...],
                 features: pd.DataFrame, evidence: PriorEvidence, fates: dict[str, ComparisonFate],
                 report: TrainingReport) -> None:
    """Train, with the first block of `group` that has pairs and a real split, every comparison still untrained
    that the block does not fix."""
    for block in group:
        wanted = [name for name, fate in fates.items() if fate.fate != "trained" and name not in block.fixes
                  and (block.trains is None or name in block.trains) and _held(features, name) >= 2]
        pairs = _frame_pairs(features, block.columns)
        entry: dict[str, Any] = {"block": block.label, "pairs": pairs}
        report.blocks.append(entry)
        if not wanted:
            entry["outcome"] = "nothing left to train"
            return
        expected = _expected_share(model, block, pairs, features, evidence)
        if expected is not None and expected < MIN_EXPECTED_SHARE:
            entry["outcome"] = f"too few matches expected ({expected:.2%} of its pairs)"
            _note(fates, wanted, f"on the same {block.label}, {entry['outcome']}")
            continue
        started = time.perf_counter()
        found = _em(table, model, block) if pairs else "no pairs"
        entry["seconds"] = round(time.perf_counter() - started, 2)
        if isinstance(found, str):
            entry["outcome"] = found
            _note(fates, wanted, f"on the same {block.label}, {found}" if found != "no pairs" else "")
            continue
        trained, share = found
        entry["match_share"] = round(share, 6)
        if not MIN_BLOCK_MATCH_SHARE <= share <= block.max_share:
            entry["outcome"] = f"no split between matches and non-matches (EM called {share:.2%} matches)"
            _note(fates, wanted, f"on the same {block.label}, {entry['outcome']}")
            continue
        matches = share * min(pairs, EM_MAX_PAIRS)
        entry["matches"] = round(matches)
        taken = []
        for name in wanted:
            values = _smoothed(_comparison(trained, name), _comparison(priors, name), matches)
            candidate = copy.deepcopy(_comparison(model, name))
            for level, m in zip(_levels(candidate), values, strict=True):
                level["m_probability"] = m
            problems = level_problems(candidate)
            if problems:
                fates[name].why = f"EM on pairs with the same {block.label} learned implausible values " \
                                  f"({'; '.join(problems)}): prior m values kept"
                continue
            _comparison(model, name)["comparison_levels"] = candidate["comparison_levels"]
            fates[name] = ComparisonFate(name, "trained", block.label)
            taken.append(name)
        entry["outcome"] = f"trained {', '.join(taken) or 'nothing'}"
        if block.prior_check:
            entry["implied_prior"] = _implied_prior(model, block, share, pairs, len(features))
        return


def _expected_share(model: dict[str, Any], block: TrainingBlock, pairs: int, features: pd.DataFrame,
                    evidence: PriorEvidence) -> float | None:
    """The share of a block's pairs expected to be matches: the data's prior (with the m values as they stand)
    times the pairs of the records that hold the block's fields times the share of true pairs the block keeps,
    over its pairs; None when it has none."""
    if not pairs:
        return None
    prior, _ = evidence.estimate(model)
    holders = int(features[list(block.columns)].notna().all(axis=1).sum())
    return prior * _all_pairs(holders) * _recall(model, block.fixes) / pairs


def _recall(model: dict[str, Any], names: tuple[str, ...]) -> float:
    """The share of true pairs that agree exactly on all of `names` (the first level after null; independent)."""
    recall = 1.0
    for name in names:
        recall *= _levels(_comparison(model, name))[0]["m_probability"]
    return max(recall, 1e-6)


def _all_pairs(n: int) -> float:
    return max(n * (n - 1) / 2, 1.0)


def _implied_prior(model: dict[str, Any], block: TrainingBlock, share: float, pairs: int, n: int) -> float:
    """EM's estimate of the prior: the matches it found in the block, over the block's recall, over all pairs."""
    return share * pairs / _recall(model, block.fixes) / _all_pairs(n)


# ------------------------------------------------------------------------------------------------- prior
def prior_rule(features: pd.DataFrame) -> tuple[str, ...]:
    """The comparisons a pair must agree on to count, for the deterministic estimate of the prior: surname,
    given name, and the birth year, the father's name or else the prefecture where most records hold them."""
    def held(name: str) -> bool:
        return _held(features, name) >= RULE_COLUMN_SHARE * len(features)

    rule = ("sn", "gn", "birth_year") if held("birth_year") else ("sn", "gn")
    return next(((*rule, extra) for extra in ("fn", "pref") if held(extra)), rule)


@dataclass(frozen=True)
class PriorEvidence:
    """What the deterministic estimate of the prior counts in the records: the rule's comparisons, the pairs that
    agree on all of them, and the number of records. Counted once per training (a group-by over every record);
    only the recall, from the m values, changes as the model trains."""

    rule: tuple[str, ...]
    agreeing: int
    records: int

    @classmethod
    def of(cls, features: pd.DataFrame) -> PriorEvidence:
        """Count the evidence in the features."""
        rule = prior_rule(features)
        columns = tuple(comparison_columns(name)[0] for name in rule)
        return cls(rule, _frame_pairs(features, columns), len(features))

    def estimate(self, model: dict[str, Any]) -> tuple[float, str]:
        """The prior: the agreeing pairs, over the share of true pairs that would agree (the model's m values),
        over all pairs; with its explanation."""
        n, rule, agreeing = self.records, self.rule, self.agreeing
        if agreeing < MIN_RULE_PAIRS:
            return min(0.5, 1.5 / max(n, 2)), (f"only {agreeing} pairs agree on {', '.join(rule)}: "
                                               "taken as 1.5 partners per record")
        recall = _recall(model, rule)
        prior = min(0.5, max(agreeing / recall / _all_pairs(n), 1.0 / _all_pairs(n)))
        return prior, (f"{agreeing:,} pairs agree on {', '.join(rule)}, which {recall:.0%} of true pairs do")


def estimate_prior(model: dict[str, Any], features: pd.DataFrame) -> tuple[float, str]:
    """The prior estimated from the data (see PriorEvidence.estimate), with its explanation."""
    return PriorEvidence.of(features).estimate(model)


def check_prior(report: TrainingReport) -> None:
    """Stop when EM's estimate of the prior and the deterministic one differ by orders of magnitude."""
    for entry in report.blocks:
        implied = entry.get("implied_prior")
        if implied is None or implied <= 0:
            continue
        ratio = max(implied, report.prior) / min(implied, report.prior)
        if ratio > PRIOR_TOLERANCE:
            raise KartotekaError(
                "linkage.prior",
                f"EM on pairs with the same {entry['block']} implies a prior of {implied:.3g}, the data's own "
                f"estimate is {report.prior:.3g} ({report.prior_source}): {ratio:,.0f} times apart, so the "
                "trained weights cannot be trusted",
                hint="check that the columns were mapped right (birth year, names, prefecture) with "
                     "`kartoteka status`; or load a model trained on a fuller archive with --model")


def check_complete(model: dict[str, Any], settings: dict[str, Any]) -> None:
    """Stop when the model has lost a comparison of the settings, or a level its m or u value."""
    present = {c["output_column_name"]: c for c in model.get("comparisons", [])}
    problems = []
    for comparison in settings["comparisons"]:
        name = comparison["output_column_name"]
        found = present.get(name)
        if found is None:
            problems.append(f"{name} is missing")
            continue
        for level in _levels(found):
            for key in ("m_probability", "u_probability"):
                value = level.get(key)
                if value is None or not 0.0 <= value <= 1.0 or math.isnan(value):
                    problems.append(f"{name} '{level.get('label_for_charts')}' has {key} {value}")
    if problems:
        raise KartotekaError("linkage.model_incomplete",
                             f"the trained model is incomplete: {'; '.join(problems)}",
                             hint="this is a bug in kartoteka's training: report it with the run's output; "
                                  "meanwhile load a complete model with --model")


# ------------------------------------------------------------------------------------------------- train
def train(features: pd.DataFrame, table: Any, settings: dict[str, Any], seed: int = 1945,
          reviewed: Sequence[tuple[int, int, str]] | None = ()) -> tuple[dict[str, Any], TrainingReport]:
    """u by random sampling, m by EM block by block (and from the `reviewed` pairs' "same" answers, see
    review_labels), the prior from the data; checked, with its report."""
    from splink import Linker

    priors = copy.deepcopy(settings)
    started = time.perf_counter()
    linker = Linker(table, copy.deepcopy(settings), log_level=None)
    sampled = float(min(U_MAX_PAIRS, max(1e5, len(features) * U_PAIRS_PER_RECORD)))
    linker.training.estimate_u_using_random_sampling(max_pairs=sampled, seed=seed)
    u_seconds = round(time.perf_counter() - started, 2)
    model = linker.misc.save_model_to_json()
    neutral = fill_unobserved_u(model, sampled)
    fates = {c["output_column_name"]: ComparisonFate(c["output_column_name"], "prior")
             for c in model["comparisons"]}
    report = TrainingReport(prior=0.0, prior_source="", blocks=[{"block": "u by random sampling", "pairs": sampled,
                                                                "seconds": u_seconds}])
    evidence = PriorEvidence.of(features)
    for group in TRAINING_BLOCKS:
        _train_group(table, model, priors, group, features, evidence, fates, report)
    _learn_from_reviewed(table, model, features, reviewed, fates, neutral, report)
    for name, fate in fates.items():
        held = _held(features, name)
        if name in neutral:
            fates[name] = ComparisonFate(name, "neutral", why=_unheld(features, name) if held == 0 else
                                         f"no random pair of records compares it ({held:,} records hold it)")
            continue
        elif fate.fate == "prior" and held == 0:
            fate.why = _unheld(features, name)
        elif fate.fate == "prior" and not fate.why:
            fate.why = f"{held:,} records hold it; every block with pairs fixed it"
        monotone_bayes_factors(_comparison(model, name))
    report.comparisons = list(fates.values())
    report.prior, report.prior_source = evidence.estimate(model)
    model["probability_two_random_records_match"] = report.prior
    check_complete(model, settings)
    check_prior(report)
    return model, report


def _learn_from_reviewed(table: Any, model: dict[str, Any], features: pd.DataFrame,
                         reviewed: Sequence[tuple[int, int, str]] | None, fates: dict[str, ComparisonFate],
                         neutral: list[str], report: TrainingReport) -> None:
    """Pool the m values with the reviewed "same" pairs': EM's count as LABEL_WEIGHT_OF_EM pairs, the prior
    ones (a comparison no block trained) as PRIOR_MATCHES; neutral comparisons are left alone. None: the
    caller asked not to learn from the decisions."""
    if reviewed is None:
        report.label_lines = ["labels: not used (link --no-labels): EM's m values stand"]
        return
    same = [(left, right) for left, right, answer in reviewed if answer == "same"]
    weights = {name: float(LABEL_WEIGHT_OF_EM if fate.fate == "trained" else PRIOR_MATCHES)
               for name, fate in fates.items() if name not in neutral}
    labels = learn_m_from_labels(table, model, features, same, weights,
                                 not_same_pairs=sum(1 for *_, answer in reviewed if answer == "not_same"))
    report.labels, report.label_lines = labels.to_dict(), labels.lines()


def with_prior_for(model: dict[str, Any], features: pd.DataFrame) -> tuple[dict[str, Any], TrainingReport]:
    """A given model (--model) with its prior re-estimated from the records at hand, and the report of that."""
    model = copy.deepcopy(model)
    prior, source = estimate_prior(model, features)
    model["probability_two_random_records_match"] = prior
    fates = [ComparisonFate(c["output_column_name"], "given", why="from the model file")
             for c in model.get("comparisons", [])]
    return model, TrainingReport(prior=prior, prior_source=source, comparisons=fates,
                                 label_lines=["labels: not used: the model was given (--model), not trained"])
