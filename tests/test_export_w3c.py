"""export --format w3c: W3C Web Annotations, checked by the W3C test suite's
own schemas (vendored in tests/data/w3c-web-annotation-tests), expanded by a
JSON-LD processor (PyLD) against the published context, and anchored in the
text each target names."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import run_cli
from pyld import jsonld
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4
from worked_case import worked_case_file  # noqa: F401  (fixture)

import db
from db.exports.w3c import ANNO_CONTEXT, annotator_id, ni_uri
from db.sources import get_source

DATA = Path(__file__).resolve().parent / "data"
SUITE = DATA / "w3c-web-annotation-tests"
_BASE = "https://w3c-test-suite.invalid/"  # the suite's ids are relative: give them a base


# -- the W3C test suite, run as its harness does ------------------------------


def _schema(path: Path) -> dict[str, Any]:
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["id"] = _BASE + schema["id"]
    return dict(schema)


@cache
def _registry() -> Registry:
    definitions = [_schema(path) for path in sorted((SUITE / "definitions").glob("*.json"))]
    return Registry().with_resources(
        (schema["id"], Resource(schema, specification=DRAFT4)) for schema in definitions)


@cache
def _assertions(test: str) -> list[tuple[str, str, jsonschema.Draft4Validator]]:
    """(assertion type, assertion file, validator) for each assertion of a ``*.test`` file.

    An assertion's top level is often a bare ``$ref``, beside which draft 4
    ignores ``id``: so each is registered under its own name and referred to."""
    found = []
    for assertion in json.loads((SUITE / test).read_text(encoding="utf-8"))["assertions"]:
        schema = _schema(SUITE / assertion)
        name = Path(assertion).name
        registry = _registry().with_resource(_BASE + name, Resource(schema, specification=DRAFT4))
        validator = jsonschema.Draft4Validator({"$ref": _BASE + name}, registry=registry,
                                               format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
        found.append((schema["assertionType"], name, validator))
    return found


def suite_results(test: str, document: Any) -> list[tuple[str, str, bool]]:
    """(assertion type, assertion file, passed) for each assertion of a ``*.test`` file."""
    return [(kind, name, validator.is_valid(document)) for kind, name, validator in _assertions(test)]


def failed(test: str, document: Any, kind: str = "must") -> list[str]:
    return [name for assertion_type, name, passed in suite_results(test, document)
            if assertion_type == kind and not passed]


def test_the_runner_passes_the_suites_correct_samples_and_fails_its_incorrect_ones():
    """The suite's samples: what it calls correct passes every MUST here, and
    each incorrect sample that is JSON fails one (so the runner can fail)."""
    must = "annotations/annotationMusts.test"
    outdated = {"anno11.json", "anno12.json", "anno13.json"}  # "Composite" targets, dropped from the model
    for path in sorted((SUITE / "tools/samples/correct").glob("anno*.json")):
        if path.name not in outdated:
            assert failed(must, json.loads(path.read_text(encoding="utf-8"))) == [], path.name
    checked = 0
    for path in sorted((SUITE / "tools/samples/incorrect").glob("anno*.json")):
        try:
            sample = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        assert failed(must, sample), path.name
        checked += 1
    assert checked >= 20


@pytest.fixture(scope="module")
def collection(worked_case_file: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:  # noqa: F811
    out = tmp_path_factory.mktemp("w3c") / "annotations.jsonld"
    result = run_cli("export", worked_case_file, "--format", "w3c", "-o", out)
    assert result.returncode == 0, result.stderr
    return dict(json.loads(out.read_text(encoding="utf-8")))


def items(collection: dict) -> list[dict]:
    return list(collection["first"]["items"])


def test_every_annotation_passes_every_must_of_the_w3c_suite(collection: dict):
    assert len(items(collection)) > 200
    failures = {}
    for item in items(collection):
        failing = failed("annotations/annotationMusts.test", item)
        if failing:
            failures[item["id"]] = failing
    assert failures == {}


def test_the_collection_and_its_page_pass_their_musts(collection: dict):
    assert failed("collections/collectionMusts.test", collection) == []
    assert failed("collections/collectionOptionals.test", collection, "should") == []
    page = {"@context": collection["@context"], **collection["first"]}
    assert failed("collections/pages/pageMusts.test", page) == []


# The SHOULDs and MAYs the data allows: marks have a creator with an id and a
# created time; text bodies say their format; casebook's own words say their
# language (a statement's or a note's language is not known, so it is not said).
SHOULD_FOR_MARKS = {"3.3.1-annotationCreatedImplemented.json",
                    "3.3.1-annotationSingleCreatorImplemented.json",
                    "3.3.5-annotationMotivationImplemented.json", "3.1-bodyKeyFound.json",
                    "3.2.1-bodyFormat.json", "3.2.1-bodyLanguage.json", "3.3.5-bodyPurpose.json",
                    "3.2.1-targFormat.json", "3.2.2-targType.json"}
AGENT_SHOULD = {"3.3.2-annotationCreatorAgentIdImplemented.json",
                "3.3.2-annotationCreatorAgentNameImplemented.json",
                "3.3.2-annotationCreatorAgentTypeImplemented.json"}


def test_marks_meet_the_shoulds_the_data_allows(collection: dict):
    marks = [item for item in items(collection) if item["motivation"] in ("assessing", "commenting")]
    assert len(marks) >= 15
    for mark in marks:
        passed = {name for _, name, ok in suite_results("annotations/annotationOptionals.test", mark) if ok}
        assert SHOULD_FOR_MARKS <= passed, sorted(SHOULD_FOR_MARKS - passed)
        passed = {name for _, name, ok in suite_results("annotations/annotationsAgentOptionals.test", mark)
                  if ok}
        assert AGENT_SHOULD <= passed, sorted(AGENT_SHOULD - passed)


# -- JSON-LD: every term means what the model says ----------------------------


def _offline_loader(url: str, options: dict | None = None) -> dict:
    if url.rstrip("/") in (ANNO_CONTEXT, ANNO_CONTEXT.replace("http:", "https:")):
        document = json.loads((DATA / "jsonld" / "anno.jsonld").read_text(encoding="utf-8"))
        return {"contextUrl": None, "documentUrl": url, "document": document}
    raise AssertionError(f"the export made the JSON-LD processor fetch {url}")


def expand(document: Any) -> list:
    return list(jsonld.expand(document, {"documentLoader": _offline_loader}))


def _iris(value: Any) -> list[str]:
    """Every IRI in an expanded document: property names, @id and @type values."""
    found: list[str] = []
    if isinstance(value, list):
        for item in value:
            found += _iris(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key == "@id":
                found.append(item)
            elif key == "@type":
                found += item if isinstance(item, list) else [item]
            elif not key.startswith("@"):
                found.append(key)
                found += _iris(item)
            else:
                found += _iris(item)
    return found


def _keys(value: Any) -> set[str]:
    if isinstance(value, list):
        return set().union(*map(_keys, value)) if value else set()
    if isinstance(value, dict):
        return {key for key in value if key != "@context"}.union(*map(_keys, value.values()))
    return set()


def test_json_ld_expands_every_term_to_an_absolute_iri(collection: dict):
    sample = {**collection, "first": {**collection["first"], "items": items(collection)[:40]}}
    sample["first"]["items"] += [i for i in items(collection) if i["motivation"] == "assessing"][:5]
    expanded = expand(sample)
    iris = _iris(expanded)
    assert iris and all(re.match(r"^[a-z][a-z0-9+.-]*:", iri) for iri in iris), \
        sorted({iri for iri in iris if not re.match(r"^[a-z][a-z0-9+.-]*:", iri)})
    assert "http://www.w3.org/ns/oa#assessing" in iris and "http://www.w3.org/ns/oa#linking" in iris
    # No key is dropped as undefined: each one alone expands to something.
    for key in _keys(sample) - {"id", "type"}:
        alone = expand({"@context": sample["@context"], "@id": "urn:x", key: "x"})
        assert alone and len(alone[0]) > 1, key


# -- what the annotations say, and that they anchor ----------------------------


def source_texts(path: Path) -> dict[str, str]:
    """ni: URI of each source's text -> the text."""
    with db.open_case(path, read_only=True) as case:
        sources = [get_source(case, row[0]) for row in case.rows("SELECT id FROM sources")]
    return {ni_uri(source.sha256): source.text for source in sources}


def test_the_collection(collection: dict, worked_case_file: Path):  # noqa: F811
    assert collection["@context"][0] == ANNO_CONTEXT
    assert collection["type"] == "AnnotationCollection"
    page = collection["first"]
    assert page["type"] == "AnnotationPage" and page["startIndex"] == 0
    assert page["partOf"] == {"id": collection["id"], "label": collection["label"],
                              "total": collection["total"]}
    assert collection["last"] == page["id"]
    with db.open_case(worked_case_file, read_only=True) as case:
        expected = case.scalar("SELECT (SELECT count(*) FROM claim_excerpts) + "
                               "(SELECT count(*) FROM event_excerpts) + (SELECT count(*) FROM annotations) + "
                               "(SELECT count(*) FROM relationship_excerpts) + "
                               "(SELECT count(*) FROM relationship_annotations)")
    assert collection["total"] == len(page["items"]) == expected
    assert len({item["id"] for item in page["items"]}) == expected  # ids are unique


def test_every_text_target_anchors_in_the_text_it_names(collection: dict, worked_case_file: Path):  # noqa: F811
    texts = source_texts(worked_case_file)
    anchored = 0
    for item in items(collection):
        targets = item["target"] if isinstance(item["target"], list) else [item["target"]]
        for target in targets:
            if isinstance(target, str):
                continue  # a claim without evidence
            text = texts[target["source"]["id"]]
            quote, position = target["selector"]
            start, end = position["start"], position["end"]
            assert text[start:end] == quote["exact"]
            assert text[:start].endswith(quote["prefix"]) and text[end:].startswith(quote["suffix"])
            assert len(quote["prefix"]) == min(32, start)
            anchored += 1
    assert anchored > 150


def test_sources_say_what_they_are(collection: dict):
    targets = [t for i in items(collection)
               for t in (i["target"] if isinstance(i["target"], list) else [i["target"]])]
    sources = {json.dumps(t["source"], sort_keys=True): t["source"] for t in targets if isinstance(t, dict)}
    observer = next(s for s in sources.values() if s.get("dc:title", "").startswith("Brussels remains a hub"))
    assert observer["type"] == "Text" and observer["format"] == "text/plain"
    assert observer["id"].startswith("ni:///sha-256;")
    assert observer["dcterms:publisher"] == "The Brussels Observer"
    assert observer["creator"] == {"name": "Jana Nováková"} and observer["dcterms:issued"] == "2023-10-26"
    # A saved web page: the text is the article extracted from it; the page is where it came from.
    assert observer["via"].startswith("https://www.brussels-observer.example/")
    assert all(s["dc:title"] for s in sources.values())


def test_evidence_and_marks(collection: dict):
    claim_items = [i for i in items(collection) if any(
        "cannot expel its head alone" in b.get("source", {}).get("label", "") for b in i["body"])]
    evidence = [i for i in claim_items if i["motivation"] == "linking"]
    marks = [i for i in claim_items if i["motivation"] == "assessing"]
    assert len(evidence) == 1
    assert evidence[0]["target"]["selector"][0]["exact"].startswith("« Nous suivons")
    assert evidence[0]["body"][1] == {"type": "TextualBody", "value": "supports", "purpose": "tagging",
                                      "format": "text/plain", "language": "en"}
    assert [(m["creator"]["name"], m["body"][0]["value"]) for m in marks] == [
        ("ana", "confirmed"), ("bruno", "disputed"), ("bruno", "unreviewed")]
    assert marks[0]["creator"] == {"id": annotator_id("ana"), "type": "Person", "name": "ana"}
    assert marks[0]["created"] == "2026-11-26T09:00:00.000001Z"
    assert marks[0]["target"] == [evidence[0]["target"]]
    assert {"type": "TextualBody", "value": "Matches the ministry's line.", "format": "text/plain",
            "purpose": "commenting"} in marks[0]["body"]
    events = [i for i in items(collection)
              if any("(March 2022)" in b.get("source", {}).get("label", "") for b in i["body"])]
    assert len(events) == 1
    assert events[0]["target"]["selector"][0]["exact"] == "Logvinov is known for lavish dinners"


def test_relationships_evidence_and_marks(collection: dict):
    tie = [i for i in items(collection) if any(
        b.get("source", {}).get("label", "") == "Milan Uhrík associate Kirill Logvinov" for b in i["body"])]
    evidence = [i for i in tie if i["motivation"] == "linking"]
    marks = [i for i in tie if i["motivation"] == "assessing"]
    assert any(e["body"][1]["value"] == "contradicts"
               and "denied meeting Logvinov" in e["target"]["selector"][0]["exact"] for e in evidence)
    assert [(m["creator"]["name"], m["body"][0]["value"]) for m in marks] == [("seed", "disputed")]
    assert marks[0]["target"] == [e["target"] for e in evidence]
    body = evidence[0]["body"][0]
    assert body["purpose"] == "linking" and body["source"]["id"].startswith("urn:uuid:")
    leads = [i for i in items(collection) if any(
        b.get("source", {}).get("label", "") == "Kirill Logvinov leads Russian Permanent Mission to the EU"
        for b in i["body"])]
    assert leads and leads[0]["target"]["selector"][0]["exact"].startswith("On 27 September 2022")


def test_ids_are_stable(collection: dict, worked_case_file: Path, tmp_path: Path):  # noqa: F811
    out = tmp_path / "again.jsonld"
    assert run_cli("export", worked_case_file, "-f", "w3c", "-o", out).returncode == 0
    assert json.loads(out.read_text(encoding="utf-8")) == collection
