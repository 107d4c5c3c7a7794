"""graph-builder: build a graph call by call, analyze it, paths, import/export, failures."""

from __future__ import annotations

import json

import pytest

from llmspell.errors import ValidationError


def build(tools, kind="directed"):
    g = tools.ok("graph-builder", operation="create_graph", graph_type=kind)["result"]["graph"]
    for node in "abcd":
        g = tools.ok(
            "graph-builder", operation="add_node", graph=g, node_id=node, label=node.upper()
        )["result"]["graph"]
    for src, dst, w in (("a", "b", 1), ("b", "c", 1), ("a", "c", 5)):
        g = tools.ok(
            "graph-builder", operation="add_edge", graph=g, **{"from": src, "to": dst}, weight=w
        )["result"]["graph"]
    return g


def test_create_and_add(tools):
    r = tools.ok("graph-builder")["result"]
    assert r["graph"]["graph_type"] == "directed" and r["node_count"] == 0
    g = build(tools)
    assert [n["id"] for n in g["nodes"]] == ["a", "b", "c", "d"]
    assert g["edges"][0] == {"from": "a", "to": "b", "label": None, "weight": 1, "data": None}
    assert g["metadata"]["edge_count"] == 3


def test_analyze(tools):
    r = tools.ok("graph-builder", operation="analyze", input=build(tools))["result"]
    assert r["node_count"] == 4 and r["edge_count"] == 3
    assert r["component_count"] == 2 and r["isolated_nodes"] == ["d"]
    assert r["properties"]["is_dag"] is True and r["topological_order"][0] in ("a", "d")
    u = tools.ok("graph-builder", operation="analyze", input=build(tools, "undirected"))
    assert u["result"]["degree_statistics"]["max_degree"] == 2


def test_shortest_path(tools):
    g = build(tools)
    r = tools.ok("graph-builder", operation="shortest_path", graph=g, **{"from": "a", "to": "c"})
    assert r["result"]["path"] == ["a", "b", "c"] and r["result"]["length"] == 2
    r = tools.ok(
        "graph-builder",
        operation="shortest_path",
        graph=g,
        weighted=False,
        **{"from": "a", "to": "c"},
    )
    assert r["result"]["path"] == ["a", "c"]
    r = tools.ok("graph-builder", operation="shortest_path", graph=g, **{"from": "c", "to": "a"})
    assert r["result"]["found"] is False


def test_export_and_import(tools):
    g = build(tools)
    text = tools.ok("graph-builder", operation="export_json", input=g)["result"]["json"]
    back = tools.ok("graph-builder", operation="import_json", input=text)["result"]["graph"]
    assert back["edges"] == g["edges"] and back["nodes"] == g["nodes"]
    node_link = tools.ok("graph-builder", operation="export_json", input=g, format="node_link")
    data = json.loads(node_link["result"]["json"])
    assert {"source": "a", "target": "b", "weight": 1} in data["links"]
    again = tools.ok("graph-builder", operation="import_json", input=data)["result"]["graph"]
    assert len(again["edges"]) == 3 and again["nodes"][0]["label"] == "A"


def test_failures(tools):
    g = build(tools)
    assert (
        "already exists"
        in tools.failed("graph-builder", operation="add_node", graph=g, node_id="a")["error"]
    )
    r = tools.failed("graph-builder", operation="add_edge", graph=g, **{"from": "a", "to": "z"})
    assert "does not exist" in r["error"]
    r = tools.ok(
        "graph-builder",
        operation="add_edge",
        graph=g,
        create_nodes=True,
        **{"from": "a", "to": "z"},
    )
    assert r["result"]["node_count"] == 5
    bad = {"nodes": [{"id": "a"}], "edges": [{"from": "a", "to": "q"}]}
    assert "non-existent" in tools.failed("graph-builder", operation="analyze", input=bad)["error"]
    assert (
        "not valid JSON"
        in tools.failed("graph-builder", operation="import_json", input="{")["error"]
    )
    assert "required" in tools.failed("graph-builder", operation="analyze")["error"]
    too_big = {"nodes": [{"id": i} for i in range(10_001)], "edges": []}
    assert (
        "over the limits"
        in tools.failed("graph-builder", operation="import_json", input=too_big)["error"]
    )


def test_misuse(tools):
    with pytest.raises(ValidationError, match="parameter 'graph_type'"):
        tools("graph-builder", graph_type="hyper")
    with pytest.raises(ValidationError, match="parameter 'weight'"):
        tools("graph-builder", operation="add_edge", graph={}, weight="heavy")
