"""export --format claimreview: schema.org ClaimReview JSON-LD, every type,
property and value checked against schema.org's own vocabulary (a subset of
release 30.0, vendored in tests/data/schemaorg)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli
from worked_case import worked_case_file  # noqa: F401  (fixture)

import db
from db.exports.claimreview import RATINGS

VOCABULARY = Path(__file__).resolve().parent / "data" / "schemaorg" / "schemaorg-subset.jsonld"
# What a JSON string or number may stand for (schema.org's data types).
STRING_TYPES = {"Text", "URL", "Date", "DateTime", "Time", "CssSelectorType", "XPathType",
                "PronounceableText"}
NUMBER_TYPES = {"Number", "Integer", "Float"}


def _ids(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value] if value else []
    return [v["@id"].removeprefix("schema:") for v in values]


@cache
def vocabulary() -> tuple[dict[str, set[str]], dict[str, tuple[set[str], set[str], bool]]]:
    """(class -> its superclasses, property -> (domain, range, superseded))."""
    graph = json.loads(VOCABULARY.read_text(encoding="utf-8"))["@graph"]
    parents: dict[str, set[str]] = {}
    properties: dict[str, tuple[set[str], set[str], bool]] = {}
    for node in graph:
        name = node["@id"].removeprefix("schema:")
        kinds = node["@type"] if isinstance(node["@type"], list) else [node["@type"]]
        if "rdf:Property" in kinds:
            properties[name] = (set(_ids(node.get("schema:domainIncludes"))),
                                set(_ids(node.get("schema:rangeIncludes"))), "schema:supersededBy" in node)
        else:
            parents[name] = set(_ids(node.get("rdfs:subClassOf")))
    return parents, properties


def ancestry(kind: str) -> set[str]:
    parents, _ = vocabulary()
    found, todo = {kind}, [kind]
    while todo:
        for parent in parents.get(todo.pop(), ()):
            if parent not in found:
                found.add(parent)
                todo.append(parent)
    return found


def problems(node: dict, where: str = "$") -> list[str]:
    """What schema.org's vocabulary does not allow in ``node`` (an empty list if nothing)."""
    parents, properties = vocabulary()
    kind = node.get("@type")
    if kind not in parents:
        return [f"{where}: @type {kind!r} is not a schema.org type"]
    found = []
    for name, values in node.items():
        if name.startswith("@"):
            continue
        if name not in properties:
            found.append(f"{where}.{name}: not a schema.org property")
            continue
        domain, range_, superseded = properties[name]
        if superseded:
            found.append(f"{where}.{name}: superseded")
        if not domain & ancestry(kind):
            found.append(f"{where}.{name}: not a property of {kind}")
        for number, value in enumerate(values if isinstance(values, list) else [values]):
            at = f"{where}.{name}[{number}]"
            if isinstance(value, dict):
                if not ancestry(value.get("@type", "")) & range_:
                    found.append(f"{at}: a {value.get('@type')} where {sorted(range_)} belong")
                found += problems(value, at)
            elif isinstance(value, bool) or not isinstance(value, (str, int, float)):
                found.append(f"{at}: {value!r}")
            elif isinstance(value, str) and not range_ & STRING_TYPES:
                found.append(f"{at}: text where {sorted(range_)} belong")
            elif not isinstance(value, str) and not range_ & (NUMBER_TYPES | {"Text"}):
                found.append(f"{at}: a number where {sorted(range_)} belong")
    return found


@pytest.fixture(scope="module")
def document(worked_case_file: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:  # noqa: F811
    out = tmp_path_factory.mktemp("claimreview") / "reviews.jsonld"
    result = run_cli("export", worked_case_file, "--format", "claimreview", "-o", out)
    assert result.returncode == 0, result.stderr
    return dict(json.loads(out.read_text(encoding="utf-8")))


def test_the_checker_catches_what_schema_org_does_not_allow():
    assert problems({"@type": "ClaimReview", "claimReviewed": "x"}) == []
    assert problems({"@type": "ClaimReviews"}) != []
    assert problems({"@type": "ClaimReview", "verdict": "x"}) != []              # no such property
    assert problems({"@type": "Claim", "reviewRating": {"@type": "Rating"}}) != []  # not a Claim's
    assert problems({"@type": "ClaimReview", "author": {"@type": "Rating"}}) != []  # wrong range
    assert problems({"@type": "Rating", "ratingValue": True}) != []


def test_every_review_is_valid_schema_org(document: dict):
    assert document["@context"] == "https://schema.org"
    assert document["@graph"]
    for number, review in enumerate(document["@graph"]):
        assert problems(review, f"@graph[{number}]") == []


def test_only_settled_claims_on_a_documented_scale(document: dict, worked_case_file: Path):  # noqa: F811
    with db.open_case(worked_case_file, read_only=True) as case:
        settled = case.scalar("SELECT count(*) FROM claims WHERE status != 'unreviewed'")
    reviews = document["@graph"]
    assert len(reviews) == settled
    for review in reviews:
        rating = review["reviewRating"]
        assert (rating["worstRating"], rating["bestRating"]) == (1, 5)
        assert rating["ratingValue"] == RATINGS[rating["alternateName"]]
    assert RATINGS == {"denied": 1, "disputed": 3, "confirmed": 5}


def test_a_review_says_what_fact_checkers_need(document: dict):
    review = next(r for r in document["@graph"] if r["claimReviewed"].startswith("Milan Uhrík met"))
    assert review["reviewRating"]["alternateName"] == "denied"
    assert review["itemReviewed"]["author"] == [{"@type": "Organization", "name": "VSquare"}]
    (appearance,) = review["itemReviewed"]["appearance"]
    assert appearance["publisher"] == {"@type": "Organization", "name": "Euromaidan Press"}
    assert appearance["datePublished"] == "2023"
    denied_by_chloe = [r for r in document["@graph"] if r.get("author", {}).get("name") == "chloé"]
    assert denied_by_chloe and denied_by_chloe[0]["reviewBody"] == "Contradicted by <b>two</b> [sources](x)."
    assert denied_by_chloe[0]["datePublished"] == "2026-11-26"
    web = [a for r in document["@graph"] for a in r["itemReviewed"].get("appearance", []) if "url" in a]
    assert all(a["url"].startswith("https://") for a in web)
