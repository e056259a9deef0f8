"""Encoding detection: each encoding found in the wild is recognised, and nothing is silently garbled."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from kartoteka.core.errors import KartotekaError
from kartoteka.ingest.encodings import choose_encoding, detect_encoding
from kartoteka.ingest.readers import open_table

RUSSIAN = ("Фамилия,Имя,Отчество,Год рождения,Место рождения\n"
           "Иванов,Пётр,Сергеевич,1920,Хабаровск\nТанака,Итиро,,1918,Хоккайдо\nЯмада,Таро,,1915,Ниигата\n")
RUSSIAN_CAPITALS = "ФАМИЛИЯ;ИМЯ\nИВАНОВ;ПЁТР\nКУЗНЕЦОВ;СЕРГЕЙ\nТАНАКА;ИТИРО\n"
JAPANESE = "氏名,生年月日,本籍\n山田 太郎,大正9年3月1日,新潟県\nヤマダ・タロウ,1920,東京都\n鈴木 一郎,昭和2年,北海道\n"


@pytest.mark.parametrize("text", [RUSSIAN, RUSSIAN_CAPITALS], ids=["mixed-case", "capitals"])
@pytest.mark.parametrize("encoding", ["utf_8", "cp1251", "koi8_r"])
def test_cyrillic_encodings_are_told_apart(tmp_path, text, encoding):
    path = tmp_path / "ru.csv"
    path.write_bytes(text.encode(encoding))
    choice = detect_encoding(path)
    assert codecs.lookup(choice.encoding).name == codecs.lookup(encoding).name
    assert path.read_bytes().decode(choice.encoding) == text


@pytest.mark.parametrize("encoding", ["utf_8", "cp932", "euc_jp"])
def test_japanese_encodings_are_detected(tmp_path, encoding):
    path = tmp_path / "ja.csv"
    path.write_bytes(JAPANESE.encode(encoding))
    assert codecs.lookup(detect_encoding(path).encoding).name == codecs.lookup(encoding).name


def test_shift_jis_half_width_katakana_is_cp932(tmp_path):
    path = tmp_path / "hankaku.csv"
    path.write_bytes("ｼﾒｲ,ﾈﾝ\nﾔﾏﾀﾞ ﾀﾛｳ,1920\nｽｽﾞｷ ｲﾁﾛｳ,1918\n".encode("cp932"))
    assert detect_encoding(path).encoding == "cp932"


def test_utf8_bom_is_detected_and_stripped(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(codecs.BOM_UTF8 + RUSSIAN.encode("utf-8"))
    choice = detect_encoding(path)
    assert choice.encoding == "utf-8-sig"
    table = open_table(path, choice.encoding)
    assert table.headers[0] == "Фамилия"  # no BOM glued to the first header
    table.close()


def test_given_utf8_on_a_bom_file_still_strips_the_bom(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(codecs.BOM_UTF8 + RUSSIAN.encode("utf-8"))
    assert choose_encoding(path, "UTF-8").encoding == "utf-8-sig"


def test_bytes_that_are_no_text_are_refused_naming_the_encodings_tried(tmp_path):
    path = tmp_path / "noise.csv"
    path.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(KartotekaError) as info:
        detect_encoding(path)
    error = info.value
    assert error.code == "input.encoding"
    for name in ("utf-8", "cp932", "euc_jp", "cp1251", "koi8_r"):
        assert name in error.message
    assert "--encoding" in error.hint


def test_a_wrong_given_encoding_fails_naming_the_line(tmp_path):
    path = tmp_path / "mixed.csv"
    good = "Фамилия,Имя\n" + "".join(f"Иванов{n},Пётр\n" for n in range(5000))
    path.write_bytes(good.encode("utf-8") + "Петров,Иван\n".encode("cp1251"))
    table = open_table(path, choose_encoding(path, "utf-8").encoding)
    rows = []
    with pytest.raises(KartotekaError) as info:
        rows.extend(table.rows)  # the error comes mid-stream, after rows were read
    table.close()
    assert len(rows) > 0
    assert info.value.code == "input.encoding"
    assert info.value.line == 5002
    assert "utf-8" in info.value.message and "--encoding" in info.value.hint


def test_unknown_encoding_name_is_a_usage_error(tmp_path):
    path = Path(tmp_path / "x.csv")
    path.write_text("surname\nA\n")
    with pytest.raises(KartotekaError) as info:
        choose_encoding(path, "cp-nonsense")
    assert info.value.code == "usage.encoding"
    assert "cp1251" in info.value.hint
