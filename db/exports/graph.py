"""``graphml`` and ``gexf``: the case's network, for Gephi, yEd and Cytoscape.

Nodes are the entities (``entity-ID``: the name as ``label``, and ``kind``,
``aliases``, ``description``, ``entity_uid``), edges the relationships
(``relationship-ID``, subject to object: ``relationship_type``, ``type_label``,
``role``, ``date_start``/``start_precision``, ``date_end``/``end_precision``,
``status``, ``evidence`` (how many excerpts), ``relationship_uid``). Retired
entities and relationships, and relationships to a retired entity, are left
out unless ``include_retired``.

Written with networkx's own GraphML and GEXF writers a page at a time: each
page of entities (then of relationships) is a small graph whose elements are
written and forgotten, after the attribute declarations, which are made
once up front; so the whole network is never in memory.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TextIO

from .. import walk
from ..casefile import Case
from ..models import EntityRecord, RelationshipRecord
from ..text import visible

if TYPE_CHECKING:   # networkx is imported by the writers: loading it takes longer than the browser's start
    import networkx as nx
    from networkx.readwrite.graphml import GraphMLWriter

_PAGE = 1000
# Every attribute with a value of its type: declared once, before any node or edge.
_NODE_ATTRIBUTES: dict[str, Any] = {"label": "", "kind": "", "aliases": "", "description": "",
                                    "entity_uid": ""}
_EDGE_ATTRIBUTES: dict[str, Any] = {
    "relationship_type": "", "type_label": "", "role": "", "date_start": "",
    "start_precision": "", "date_end": "", "end_precision": "", "status": "", "evidence": 0,
    "relationship_uid": ""}


def node_id(entity_id: int) -> str:
    return f"entity-{entity_id}"


def edge_id(relationship_id: int) -> str:
    return f"relationship-{relationship_id}"


def _safe(data: dict[str, Any]) -> dict[str, Any]:
    """Text as XML 1.0 can hold it: control characters (which no XML file may
    contain) as visible placeholders, as everywhere casebook shows case text."""
    return {k: visible(v, keep_newlines=True) if isinstance(v, str) else v for k, v in data.items()}


def _node(entity: EntityRecord) -> tuple[str, dict[str, Any]]:
    return node_id(entity.id), _safe({"label": entity.name, "kind": entity.kind,
                                      "aliases": " | ".join(entity.aliases),
                                      "description": entity.description, "entity_uid": entity.uid})


def _edge(relationship: RelationshipRecord) -> tuple[str, str, str, dict[str, Any]]:
    r = relationship
    return node_id(r.subject_entity_id), node_id(r.object_entity_id), edge_id(r.id), _safe({
        "relationship_type": r.type, "type_label": r.type_label, "role": r.role,
        "date_start": r.date_start, "start_precision": r.start_precision,
        "date_end": r.date_end, "end_precision": r.end_precision, "status": r.status,
        "evidence": len(r.evidence), "relationship_uid": r.uid})


def _pages(case: Case, *, include_retired: bool = False) -> Iterator[nx.MultiDiGraph]:
    """The network a page at a time: graphs of entities, then of relationships
    (each edge's ends as bare nodes, which the writers below leave out)."""
    import networkx as nx

    # Retired entities, and relationships retired or to a retired entity, are left out
    # by the walks' SQL (no set of ids in memory).
    graph = nx.MultiDiGraph()
    for entity in walk.entities(case, include_retired=include_retired):
        name, data = _node(entity)
        graph.add_node(name, **data)
        if len(graph) >= _PAGE:
            yield graph
            graph = nx.MultiDiGraph()
    if len(graph):
        yield graph
    # Edges counted here: a graph's number_of_edges() sums every node's degree,
    # which asked after each edge made a page's writing quadratic in its size.
    graph, edges = nx.MultiDiGraph(), 0
    for relationship in walk.relationships(case, include_retired=include_retired):
        source, target, key, data = _edge(relationship)
        graph.add_edge(source, target, key=key, **data)
        edges += 1
        if edges >= _PAGE:
            yield graph
            graph, edges = nx.MultiDiGraph(), 0
    if edges:
        yield graph


def _text(element: ET.Element) -> str:
    return ET.tostring(element, encoding="unicode")


def _children(container: ET.Element) -> str:
    """The elements in ``container``, one a line, serialized in one call (a call
    an element cost more than the element: each looks for namespaces anew)."""
    for element in container:
        element.tail = "\n"
    whole = _text(container)                     # <graph>…</graph>, or <graph /> if empty
    return whole[whole.index(">") + 1:whole.rindex("<")] if len(container) else ""


def _open_tag(element: ET.Element) -> str:
    """``<graphml …>`` with its children: the element written without its end tag."""
    whole = _text(element)
    if whole.endswith(f"</{element.tag}>"):
        return whole.removesuffix(f"</{element.tag}>")
    return whole.removesuffix(" />") + ">"     # no children: written as <tag … />


def _sample() -> nx.MultiDiGraph:
    import networkx as nx

    sample = nx.MultiDiGraph()
    sample.add_node("a", **_NODE_ATTRIBUTES)
    sample.add_edge("a", "a", key="e", **_EDGE_ATTRIBUTES)
    return sample


def write_graphml(case: Case, out: TextIO, *, include_retired: bool = False) -> int:
    import networkx as nx
    from networkx.readwrite.graphml import GraphMLWriter

    writer = GraphMLWriter(prettyprint=False)
    scratch = writer.myElement("graph")
    for graph in [_sample()]:           # the key declarations, once
        writer.add_nodes(graph, scratch)
        writer.add_edges(graph, scratch)
        _flush_graphml(writer)
    count = 0
    with case.snapshot():
        out.write("<?xml version='1.0' encoding='utf-8'?>\n" + _open_tag(writer.xml) + "\n")
        out.write('<graph edgedefault="directed">\n')
        for graph in _pages(case, include_retired=include_retired):
            page = writer.myElement("graph")
            nodes = [(n, d) for n, d in graph.nodes(data=True) if d]
            only = nx.MultiDiGraph()
            only.add_nodes_from(nodes)
            writer.add_nodes(only, page)
            writer.add_edges(graph, page)
            _flush_graphml(writer)
            out.write(_children(page))
            count += len(page)
        out.write("</graph>\n</graphml>\n")
    return count


def _flush_graphml(writer: GraphMLWriter) -> None:
    """The data elements networkx keeps back until a whole graph is written
    (to infer their types), added now: the types are declared already."""
    for element, data in writer.attributes.items():
        for name, value, scope, default in data:
            element.append(writer.add_data(str(name), writer.attr_type(name, scope, value),
                                           str(value), scope, default))
    writer.attributes.clear()


def write_gexf(case: Case, out: TextIO, *, include_retired: bool = False) -> int:
    from networkx.readwrite.gexf import GEXFWriter

    writer = GEXFWriter(prettyprint=False, version="1.2draft")
    graph_element = ET.Element("graph", defaultedgetype="directed", mode="static")
    writer.graph_element = graph_element
    sample = _sample()
    writer.add_nodes(sample, ET.Element("graph"))     # the attribute declarations, once
    writer.add_edges(sample, ET.Element("graph"))
    count = 0
    with case.snapshot():
        created = walk.meta(case).get("created_at", "")[:10]
        for meta in writer.xml.iter("meta"):
            meta.set("lastmodifieddate", created or "1970-01-01")
            for creator in meta.iter("creator"):
                creator.text = "casebook"
        out.write("<?xml version='1.0' encoding='utf-8'?>\n" + _open_tag(writer.xml) + "\n")
        out.write(_open_tag(graph_element) + "\n<nodes>\n")
        edges = False
        for graph in _pages(case, include_retired=include_retired):
            page = ET.Element("graph")
            if graph.number_of_edges():
                for _, _, key, data in graph.edges(keys=True, data=True):
                    data["id"] = key          # the edge's id: relationship-ID
                if not edges:
                    out.write("</nodes>\n<edges>\n")
                    edges = True
                writer.add_edges(graph, page)
            else:
                writer.add_nodes(graph, page)
            for container in page:
                out.write(_children(container))
                count += len(container)
        out.write(("" if edges else "</nodes>\n<edges>\n") + "</edges>\n</graph>\n</gexf>\n")
    return count
