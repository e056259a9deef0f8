"""The feature table: name parts, blanks as null, one reading per distinct spelling, Arrow columns."""

import pandas as pd

from kartoteka.linkage.features import build_features


def test_blank_names_are_null_and_a_whole_name_is_split():
    records = pd.DataFrame({
        "id": [1, 2, 3, 4],
        "kind": ["card", "card", "jp_roster", "burial"],
        "surname": pd.array(["Сато", None, "  ", None], dtype="str"),
        "given_name": pd.array([" Хироси", None, "", None], dtype="str"),
        "name_original": pd.array([None, "Ямада Отодзо", None, "  "], dtype="str"),
    })
    calls: list[tuple[str, str]] = []

    def reader(text: str, part: str) -> list[str]:
        calls.append((text, part))
        return [text.lower()]

    features = build_features(records, reader)
    assert features["sn_r1"].tolist()[:2] == ["сато", "ямада"]
    assert features["gn_r1"].tolist()[:2] == ["хироси", "отодзо"]
    assert features["sn_r1"].isna().tolist() == [False, False, True, True]  # blanks are null, not ""
    assert sorted(calls) == sorted([("Сато", "surname"), ("Ямада", "surname"), ("Хироси", "given"),
                                    ("Отодзо", "given")])  # each distinct spelling read once, stripped
    assert isinstance(features["sn_set"].dtype, pd.ArrowDtype)
    assert features["side"].tolist() == ["soviet", "soviet", "japanese", "soviet"]
