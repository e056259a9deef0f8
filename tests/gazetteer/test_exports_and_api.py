"""The exports against their schemas (GeoJSON: RFC 7946; Linked Places: LPF v1.2.2), the CSV with its sources,
the API on both backends, and the CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import jsonschema
import pytest
from fastapi.testclient import TestClient

from kartoteka.cli import main
from kartoteka.gazetteer.export import CSV_COLUMNS, export

SCHEMAS = Path(__file__).resolve().parent / "schemas"

pytestmark = pytest.mark.xdist_group("gazetteer")


def _schema(name: str) -> dict:
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return schema


def _url(store) -> str:  # type: ignore[no-untyped-def]
    return store.engine.url.render_as_string(hide_password=False)


def test_geojson_validates_and_carries_names_numbers_and_sources(hand_made, tmp_path):
    out = tmp_path / "camps.geojson"
    count = export(hand_made, "geojson", out)
    document = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(document, _schema("geojson.schema.json"))
    assert count == len(document["features"]) >= 50
    by_key = {f["properties"]["key"]: f for f in document["features"]}
    taishet = by_key["taishet_7"]
    assert taishet["geometry"] == {"type": "Point", "coordinates": [97.98964, 55.93276]}  # longitude first
    props = taishet["properties"]
    assert props["coordinate_source"] == "geonames:1489870" and props["kind"] == "camp"
    assert props["names"]["ru"].startswith("Тайшетский") and props["names"]["en"].startswith("Taishet")
    assert props["numbers"][0]["system"] == "soviet" and props["numbers"][0]["to"] == "1947"
    assert props["held_in_store"] == 3 and props["source_url"] == "https://bystrov.ustrcr.cz/tabory/6037"
    assert props["simulated"] is True and document["kartoteka"]["simulated"] is True
    assert by_key["suchan_11"]["properties"]["place_names"] == {
        "en": "Partizansk", "ru": "Партизанск", "ja": "スーチャン", "historic": ["Suchan"]}
    # an unresolved place: no geometry, never a guessed point
    assert by_key["buryat_6"]["geometry"] is None and by_key["buryat_6"]["properties"]["coordinate_source"] is None
    # a document that breaks the schema is caught by it (the schema can fail)
    broken = {**document, "features": [{**taishet, "geometry": {"type": "Point", "coordinates": [200, 55]}}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, _schema("geojson.schema.json"))


def test_linked_places_validates_feature_by_feature(hand_made, tmp_path):
    out = tmp_path / "camps.lpf.json"
    export(hand_made, "lpf", out)
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["type"] == "FeatureCollection" and document["@context"].endswith("context-v1.1.jsonld")
    schema = _schema("lpf_feature.schema.json")
    for feature in document["features"]:
        jsonschema.validate(feature, schema)
    by_id = {f["@id"].rsplit(":", 1)[1]: f for f in document["features"]}
    taishet = by_id["taishet_7"]
    assert {n["lang"] for n in taishet["names"]} == {"ru", "en"}
    assert taishet["geometry"]["geometries"][0]["source"] == "geonames:1489870"
    assert taishet["links"] == [{"type": "closeMatch", "identifier": "gn:1489870"}]
    assert taishet["when"] == {"timespans": [{"start": {"latest": "1947"}, "end": {"in": "1947"}}]}
    assert by_id["kivda_19"]["relations"][0]["relationTo"].endswith(":camp_5")
    assert "geometry" not in by_id["buryat_6"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**taishet, "extra": 1}, schema)


def test_csv_has_a_source_on_every_row(hand_made, tmp_path):
    out = tmp_path / "camps.csv"
    export(hand_made, "csv", out)
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert all(row["reference_row"] and row["simulated"] == "SIMULATED" for row in rows)
    assert all(row["coordinate_source"] for row in rows if row["lat"])
    assert sum(1 for row in rows if row["source_url"]) == len(rows)


def test_the_camps_api(hand_made):
    from kartoteka.web import create_app

    client = TestClient(create_app(_url(hand_made)))  # no lifespan: the search warm-up is not needed here
    if True:
        answer = client.get("/api/v1/camps").json()
        assert answer["simulated"] is True and len(answer["camps"]) >= 50
        taishet = next(c for c in answer["camps"] if c["key"] == "taishet_7")
        assert taishet["held"] == 3 and taishet["coordinate"]["source"] == "geonames:1489870"
        one = client.get(f"/api/v1/camps/{taishet['id']}")
        assert one.status_code == 200 and one.json() == taishet
        assert all(c["kind"] == "burial_site" for c in client.get("/api/v1/camps?kind=burial_site").json()["camps"])
        missing = client.get("/api/v1/camps/99999")
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "gazetteer.not_found"
        assert client.get("/api/v1/camps/0").status_code == 400
        resolved = client.get("/api/v1/gazetteer/resolve", params={"q": "第7地区", "date": "1948-05-01"}).json()
        assert resolved["camp_key"] == "posyet_7" and resolved["on"] == "1948-05-01"
        bad = client.get("/api/v1/gazetteer/resolve", params={"q": "Тайшет", "date": "someday"})
        assert bad.status_code == 400 and bad.json()["error"]["code"] == "gazetteer.date"
        paths = client.get("/api/v1/openapi.json").json()["paths"]
        assert {"/api/v1/camps", "/api/v1/camps/{camp_id}", "/api/v1/gazetteer/resolve"} <= set(paths)


def run(capsys, *argv: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    try:
        main(list(argv))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, _err = capsys.readouterr()
    return code, out


def test_the_commands(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'k.sqlite'}"
    assert run(capsys, "-d", url, "init")[0] == 0
    code, out = run(capsys, "-d", url, "gazetteer", "resolve", "Тайшетский лагерь № 7", "--json")
    assert code == 0 and json.loads(out)["camp_key"] == "taishet_7"
    code, out = run(capsys, "-d", url, "gazetteer", "resolve", "第7地区", "--date", "1948")
    assert code == 0 and "camp posyet_7" in out and "not in use on 1948-07-01" in out
    code, out = run(capsys, "-d", url, "gazetteer", "unresolved")
    assert code == 0 and "krasnaya_zarya" in out and "places unresolved" in out
    code, out = run(capsys, "-d", url, "gazetteer", "unresolved", "--texts")
    assert code == 0 and "0 texts shown" in out  # an empty store
    code, out = run(capsys, "-d", url, "gazetteer", "fix", "krasnaya_zarya", "--lat", "53.1", "--lon", "119.2",
                    "--source", "test sheet", "--note", "SIMULATED")
    assert code == 0
    code, out = run(capsys, "-d", url, "gazetteer", "show", "krasnaya_zarya")
    assert code == 0 and "curator's fix: 53.1, 119.2 (test sheet; SIMULATED" in out
    code, out = run(capsys, "-d", url, "gazetteer", "show", "taishet_7")
    assert code == 0 and "number: soviet 7 from ? to 1947" in out and "geonames:1489870" in out
    code, out = run(capsys, "-d", url, "gazetteer", "list", "--json")
    assert code == 0 and len(json.loads(out)["camps"]) >= 50
    assert run(capsys, "-d", url, "export", "geojson", str(tmp_path / "c.geojson"))[0] == 0
    assert json.loads((tmp_path / "c.geojson").read_text(encoding="utf-8"))["type"] == "FeatureCollection"
    assert run(capsys, "-d", url, "gazetteer", "fix", "nowhere", "--lat", "1", "--lon", "1", "--source", "s",
               "--note", "n")[0] != 0
