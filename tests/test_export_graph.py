"""export --format graphml / gexf: the network of entities and relationships,
written by networkx a page at a time and read back by networkx with the same
nodes, edges and attributes."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest
from conftest import run_cli

import db
from db import curation
from db.entities import add_entity
from db.relationships import add_relationship
from db.text import visible

ANA = {"CASEBOOK_ANNOTATOR": "ana"}
HOSTILE = "Evil\x1b]0;owned\x07 <b>&amp; \u202eCorp"


@pytest.fixture(scope="module")
def worked(tmp_path_factory: pytest.TempPathFactory, seed_case_file: Path) -> Path:
    """The seed case with a retired relationship, a retired entity and a hostile name."""
    path = tmp_path_factory.mktemp("graph") / "case.casebook"
    path.write_bytes(seed_case_file.read_bytes())
    with db.open_case(path) as case:
        curation.retire(case, "relationship", 1, reason="misread", annotator="ana")
        evil = add_entity(case, kind="organization", name=HOSTILE)
        add_relationship(case, subject_entity_id=evil.id or 0, object_entity_id=2,
                         type="owns", role="a <role> & \x00 more", start="1990s")
        gone = int(case.scalar("SELECT subject_entity_id FROM relationships WHERE id = 2"))
        curation.retire(case, "entity", gone, reason="a duplicate", annotator="ana")
    return path


def _expected(path: Path) -> tuple[set[str], dict[str, tuple[str, str, dict[str, object]]]]:
    with db.open_case(path, read_only=True) as case:
        nodes = {f"entity-{row[0]}" for row in case.rows("SELECT id FROM entities WHERE retired = 0")}
        edges = {f"relationship-{row['id']}": (
            f"entity-{row['subject_entity_id']}", f"entity-{row['object_entity_id']}",
            {"relationship_type": row["type"], "status": row["status"], "role": row["role"],
             "date_start": row["date_start"], "start_precision": row["start_precision"],
             "evidence": row["evidence"], "relationship_uid": row["uid"]})
            for row in case.rows(
                "SELECT r.*, (SELECT count(*) FROM relationship_excerpts x "
                "WHERE x.relationship_id = r.id) AS evidence FROM relationships r "
                "JOIN entities s ON s.id = r.subject_entity_id JOIN entities o "
                "ON o.id = r.object_entity_id WHERE r.retired = 0 AND s.retired = 0 "
                "AND o.retired = 0")}
    return nodes, edges


@pytest.mark.parametrize("format_", ["graphml", "gexf"])
def test_networkx_reads_back_the_same_nodes_and_edges(worked: Path, tmp_path: Path, format_):
    out = tmp_path / f"case.{format_}"
    result = run_cli("export", worked, "--format", format_, "-o", out)
    assert result.returncode == 0, result.stderr
    graph = (nx.read_graphml(out, force_multigraph=True) if format_ == "graphml"
             else nx.read_gexf(out))
    nodes, edges = _expected(worked)
    assert set(graph.nodes) == nodes and len(nodes) > 80
    found = {}
    for source, target, data in graph.edges(data=True):
        key = data.get("id") if format_ == "gexf" else None
        found[key or _graphml_key(graph, source, target, data)] = (source, target, data)
    assert set(found) == set(edges) and len(edges) >= 50
    for key, (source, target, wanted) in edges.items():
        got = found[key]
        assert (got[0], got[1]) == (source, target), key
        for name, value in wanted.items():
            shown = visible(value, keep_newlines=True) if isinstance(value, str) else value
            assert got[2][name] == shown, (key, name)
    names = {data["label"] for _, data in graph.nodes(data=True)}
    assert "Kirill Logvinov" in names
    # a hostile name: its control characters are placeholders (no XML may hold them)
    [evil] = [name for name in names if name.startswith("Evil")]
    assert "\x1b" not in evil and "\x07" not in evil and "<b>&amp;" in evil
    assert {data["kind"] for _, data in graph.nodes(data=True)} <= set(db.ENTITY_KINDS)


def _graphml_key(graph: nx.MultiDiGraph, source: str, target: str, data: dict) -> str:
    [key] = [k for k, d in graph[source][target].items() if d is data]
    return str(key)


def test_an_empty_case_is_an_empty_graph(tmp_path: Path):
    path = tmp_path / "empty.casebook"
    assert run_cli("new", path, "--title", "Empty").returncode == 0
    for format_ in ("graphml", "gexf"):
        out = tmp_path / f"empty.{format_}"
        assert run_cli("export", path, "-f", format_, "-o", out).returncode == 0
        graph = nx.read_graphml(out) if format_ == "graphml" else nx.read_gexf(out)
        assert graph.number_of_nodes() == graph.number_of_edges() == 0
