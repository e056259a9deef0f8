import datetime as dt

import pandas as pd
import pytest

from kartoteka.linkage.clustering import LifeFacts, cluster


def _edges(*rows):
    return pd.DataFrame(rows, columns=["unique_id_l", "unique_id_r", "match_probability"])


def test_links_above_threshold_join_and_below_do_not():
    result = cluster([1, 2, 3, 4], _edges((1, 2, 0.99), (2, 3, 0.95), (3, 4, 0.5)), threshold=0.9)
    assert result.cluster_of[1] == result.cluster_of[2] == result.cluster_of[3]
    assert result.cluster_of[4] != result.cluster_of[1]


def test_not_same_decision_splits_the_chain_at_its_weakest_link():
    edges = _edges((1, 2, 0.99), (2, 3, 0.95))
    result = cluster([1, 2, 3], edges, 0.9, decisions=[(1, 3, "not_same")])
    assert result.cluster_of[1] == result.cluster_of[2] != result.cluster_of[3]
    assert result.refused == 1
    assert any("reviewer" in f for flags in result.flags.values() for f in flags)


def test_same_decision_joins_records_the_model_kept_apart():
    result = cluster([1, 2], _edges((1, 2, 0.1)), 0.9, decisions=[(1, 2, "same")])
    assert result.cluster_of[1] == result.cluster_of[2]


def test_repatriated_after_death_is_refused():
    facts = {1: LifeFacts(death=dt.date(1946, 1, 10)), 2: LifeFacts(alive=dt.date(1948, 6, 1))}
    result = cluster([1, 2], _edges((1, 2, 0.99)), 0.9, facts)
    assert result.cluster_of[1] != result.cluster_of[2]
    assert any("after death" in f for flags in result.flags.values() for f in flags)


@pytest.mark.parametrize("alive", [dt.date(1946, 10, 25),  # the year of a 1945 sign of life misread (5/6)
                                   dt.date(1946, 10, 1)])  # the death's day and month exchanged (01.10 for 10.01)
def test_a_sign_of_life_one_clerk_slip_after_death_is_not_refused(alive):
    facts = {1: LifeFacts(death=dt.date(1946, 1, 10)), 2: LifeFacts(alive=alive)}
    result = cluster([1, 2], _edges((1, 2, 0.99)), 0.9, facts)
    assert result.cluster_of[1] == result.cluster_of[2]
    assert result.refused == 0 and not result.flags


def test_repatriated_a_year_and_more_after_death_is_refused_even_when_others_link_first():
    # 1 died in January 1946; 2 and 3 are a card of 1945 and a manifest of March 1947 (a namesake come home)
    facts = {1: LifeFacts(death=dt.date(1946, 1, 10)), 2: LifeFacts(alive=dt.date(1945, 11, 2)),
             3: LifeFacts(alive=dt.date(1947, 3, 1))}
    result = cluster([1, 2, 3], _edges((1, 2, 0.99), (2, 3, 0.8)), 0.5, facts)
    assert result.cluster_of[1] == result.cluster_of[2] != result.cluster_of[3]
    assert result.refused == 1


def test_two_camps_on_the_same_day_are_refused_but_one_camp_is_fine():
    day = dt.date(1946, 3, 1)
    facts = {1: LifeFacts(camp_days={day: "7"}), 2: LifeFacts(camp_days={day: "9"}),
             3: LifeFacts(camp_days={day: "7"})}
    result = cluster([1, 2, 3], _edges((1, 2, 0.99), (1, 3, 0.98)), 0.9, facts)
    assert result.cluster_of[1] != result.cluster_of[2]
    assert result.cluster_of[1] == result.cluster_of[3]


def test_a_second_repatriation_is_refused_at_the_weakest_link():
    # 1 and 3 are manifests: one man came home once, so the weaker of the two links that would join them fails
    kinds = {1: "manifest", 2: "card", 3: "manifest"}
    result = cluster([1, 2, 3], _edges((1, 2, 0.99), (2, 3, 0.7)), 0.5, kinds=kinds)
    assert result.cluster_of[1] == result.cluster_of[2] != result.cluster_of[3]
    assert result.refused == 1
    assert any("two repatriations" in f for flags in result.flags.values() for f in flags)


def test_one_per_person_kinds_can_be_switched_off_and_repeatable_kinds_join():
    kinds = {1: "manifest", 2: "card", 3: "manifest", 4: "card"}
    edges = _edges((1, 2, 0.99), (2, 3, 0.7), (2, 4, 0.9))
    free = cluster([1, 2, 3, 4], edges, 0.5, kinds=kinds, one_per_person=())
    assert len(set(free.cluster_of)) == 1 and free.refused == 0
    kept = cluster([1, 2, 3, 4], edges, 0.5, kinds=kinds)
    assert kept.cluster_of[4] == kept.cluster_of[2]  # two cards of one person are normal (one per camp)


def test_the_link_command_defaults_are_the_library_defaults():
    # The CLI spells its defaults out (it imports the linkage lazily); they must not drift from the library's.
    import inspect

    from kartoteka.cli.linkage_commands import link_command
    from kartoteka.core.model import normalize_kind
    from kartoteka.linkage.clustering import ONE_PER_PERSON
    from kartoteka.linkage.service import DEFAULT_THRESHOLD

    defaults = inspect.signature(link_command).parameters
    assert defaults["threshold"].default == DEFAULT_THRESHOLD
    assert tuple(normalize_kind(k) for k in defaults["one_per_person"].default.split(",")) == ONE_PER_PERSON


def test_the_same_pairs_in_any_order_give_the_same_persons():
    # Two manifests (one man came home once) tied at one probability with the card between them: which link is
    # refused must not depend on the order the backend returned the pairs in.
    kinds = {1: "manifest", 2: "card", 3: "manifest"}
    rows = [(1, 2, 0.9), (2, 3, 0.9)]
    first = cluster([1, 2, 3], _edges(*rows), 0.5, kinds=kinds)
    second = cluster([1, 2, 3], _edges(*reversed(rows)), 0.5, kinds=kinds)
    assert first.cluster_of.to_dict() == second.cluster_of.to_dict()
    assert first.cluster_of[1] == first.cluster_of[2] != first.cluster_of[3]  # the lower record ids go first


def test_a_chain_of_namesakes_is_split_where_the_model_scores_its_ends_apart():
    # Two men of one name (1 and 3) each linked to a roster entry (2) that fits both: the model scored 1 and 3
    # as plainly two men, so the weaker link is refused, with a flag that says why.
    edges = _edges((1, 2, 0.9), (2, 3, 0.8))
    joined = cluster([1, 2, 3], edges, 0.5)
    assert joined.cluster_of[1] == joined.cluster_of[3]
    result = cluster([1, 2, 3], edges, 0.5, apart=[(1, 3)])
    assert result.cluster_of[1] == result.cluster_of[2] != result.cluster_of[3]
    assert result.refused == 1
    assert any("different men" in f for flags in result.flags.values() for f in flags)


def test_a_reviewers_same_outranks_the_models_apart():
    result = cluster([1, 2], _edges((1, 2, 0.0)), 0.5, decisions=[(1, 2, "same")], apart=[(1, 2)])
    assert result.cluster_of[1] == result.cluster_of[2]
    assert any("kept by decision" in f for flags in result.flags.values() for f in flags)
