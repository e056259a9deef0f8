import pandas as pd

from kartoteka.linkage.evaluation import cluster_scores, evaluate_frame, pairwise_scores


def _frame():
    # truth: A = {1,2,3}, B = {4,5}; predicted: {1,2}, {3,4,5}
    return pd.DataFrame({
        "record_id": [1, 2, 3, 4, 5], "record_ref": list("abcde"),
        "kind": ["card", "card", "jp_roster", "card", "jp_roster"],
        "predicted": [10, 10, 20, 20, 20], "truth": ["A", "A", "A", "B", "B"],
    })


def test_pairwise_counts_pairs_in_one_person():
    scores = pairwise_scores(_frame())
    # predicted pairs: (1,2),(3,4),(3,5),(4,5) = 4; true pairs: (1,2),(1,3),(2,3),(4,5) = 4; tp = (1,2),(4,5)
    assert (scores["true_positives"], scores["predicted"], scores["actual"]) == (2, 4, 4)
    assert scores["f1"] == 0.5


def test_cross_kind_task_counts_only_card_roster_pairs():
    scores = pairwise_scores(_frame(), ["card"], ["jp_roster"])
    # true card-roster pairs: (1,3),(2,3),(4,5); predicted: (4,3),(4,5); tp: (4,5)
    assert (scores["true_positives"], scores["predicted"], scores["actual"]) == (1, 2, 3)


def test_cluster_scores_count_exact_persons():
    frame = _frame()
    frame.loc[frame["record_id"] == 3, "predicted"] = 10
    frame.loc[frame["record_id"].isin([4, 5]), "predicted"] = 30
    assert cluster_scores(frame)["f1"] == 1.0


def test_identification_recall_looks_at_top_candidates_of_the_roster_record():
    pairs = pd.DataFrame({"record_id_l": [1, 3, 4], "record_id_r": [3, 5, 5], "match_weight": [5.0, 2.0, 9.0],
                          "match_probability": [0.9, 0.5, 0.99]})
    figures = evaluate_frame(_frame(), pairs, died={"A", "B"})
    assert figures["identification_recall_at_5"] == 1.0
    assert set(figures) >= {"pairs", "clusters", "tasks", "identification_recall_at_5"}
    assert set(figures["tasks"]) >= {"card_dedupe", "card_roster"}
    worse = evaluate_frame(_frame(), pairs[pairs["record_id_l"] != 1], died={"A"})
    assert worse["identification_recall_at_5"] == 0.0


def test_a_task_with_nothing_to_score_is_not_applicable_not_perfect():
    cards_only = _frame().assign(kind="card")
    figures = evaluate_frame(cards_only, pd.DataFrame(columns=["record_id_l", "record_id_r", "match_weight"]),
                             died={"A"})
    roster = figures["tasks"]["card_roster"]
    assert (roster["precision"], roster["recall"], roster["f1"], roster["actual"]) == (None, None, None, 0)
    assert figures["identification_recall_at_5"] is None  # no roster record to identify
    assert figures["tasks"]["card_dedupe"]["f1"] == 0.5  # the task that has pairs is still scored


def test_true_pairs_none_found_is_f1_zero_and_found_pairs_none_true_is_precision_zero():
    frame = _frame()
    frame["predicted"] = [1, 2, 3, 4, 5]  # every record its own person
    scores = pairwise_scores(frame)
    assert (scores["precision"], scores["recall"], scores["f1"]) == (None, 0.0, 0.0)
    frame["predicted"] = 1
    frame["truth"] = ["A", "B", "C", "D", "E"]
    scores = pairwise_scores(frame)
    assert (scores["precision"], scores["recall"], scores["f1"]) == (0.0, None, None)
