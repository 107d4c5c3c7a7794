"""graph-builder: build and analyze graphs with networkx; graphs travel as JSON.

Tools are stateless, so every call takes the graph and returns the new one, in
rs-llmspell's shape ``{graph_type, nodes=[{id, label, data}], edges=[{from, to, label,
weight, data}], metadata}``. import_json also accepts networkx node-link JSON
(``links``/``edges`` with ``source``/``target``).
"""

from __future__ import annotations

import json
from typing import Any

from llmspell.tools import Tool
from llmspell_tools._support import dispatch, fail, output
from llmspell_tools.data._values import json_input

MAX_NODES = 10_000
MAX_EDGES = 50_000


def _graph_arg(params: dict[str, Any]) -> dict[str, Any]:
    raw = params.get("graph", params.get("input"))
    if raw is None:
        fail("'graph' (or 'input') with the graph JSON is required", kind="ValidationError")
    data = json_input(raw, "graph")
    return _normalize(data)


def _normalize(data: Any) -> dict[str, Any]:
    """The graph in our shape, checked (unknown edge endpoints, limits, duplicates)."""
    if isinstance(data, dict):
        # an empty Lua table arrives as {}: read it as an empty array
        data = {
            k: ([] if k in ("nodes", "edges", "links") and v == {} else v) for k, v in data.items()
        }
    if not isinstance(data, dict) or not isinstance(data.get("nodes", []), list):
        fail("the graph must be an object with 'nodes' and 'edges' arrays", kind="ValidationError")
    directed = data.get("graph_type")
    if directed is None:
        directed = "directed" if data.get("directed", True) else "undirected"
    if directed not in ("directed", "undirected"):
        fail(f"graph_type must be directed or undirected, not {directed!r}", kind="ValidationError")
    nodes: list[dict[str, Any]] = []
    seen: set[str] = set()
    for node in data.get("nodes") or []:
        if not isinstance(node, dict) or "id" not in node:
            fail(f"each node needs an 'id': {node!r}", kind="ValidationError")
        nid = str(node["id"])
        if nid in seen:
            fail(f"duplicate node id {nid!r}", kind="ValidationError")
        seen.add(nid)
        extra = {k: v for k, v in node.items() if k not in ("id", "label", "data")}
        data_ = node.get("data")
        if extra:
            data_ = {**extra, **(data_ if isinstance(data_, dict) else {})}
        nodes.append({"id": nid, "label": node.get("label"), "data": data_})
    raw_edges = data.get("edges", data.get("links")) or []
    if not isinstance(raw_edges, list):
        fail("'edges' must be an array", kind="ValidationError")
    edges: list[dict[str, Any]] = []
    for edge in raw_edges:
        if not isinstance(edge, dict):
            fail(f"each edge must be an object: {edge!r}", kind="ValidationError")
        src, dst = edge.get("from", edge.get("source")), edge.get("to", edge.get("target"))
        if src is None or dst is None:
            fail(f"each edge needs 'from' and 'to': {edge!r}", kind="ValidationError")
        src, dst = str(src), str(dst)
        for end in (src, dst):
            if end not in seen:
                fail(f"edge references non-existent node {end!r}", kind="ValidationError")
        weight = edge.get("weight")
        if weight is not None and (isinstance(weight, bool) or not isinstance(weight, int | float)):
            fail(f"edge weight must be a number: {edge!r}", kind="ValidationError")
        known = ("from", "to", "source", "target", "label", "weight", "data", "key")
        extra = {k: v for k, v in edge.items() if k not in known}
        data_ = edge.get("data")
        if extra:
            data_ = {**extra, **(data_ if isinstance(data_, dict) else {})}
        edges.append(
            {"from": src, "to": dst, "label": edge.get("label"), "weight": weight, "data": data_}
        )
    if len(nodes) > MAX_NODES or len(edges) > MAX_EDGES:
        fail(
            f"the graph is over the limits ({MAX_NODES} nodes, {MAX_EDGES} edges)",
            kind="ValidationError",
        )
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    return {"graph_type": directed, "nodes": nodes, "edges": edges, "metadata": metadata}


def _nx(graph: dict[str, Any]) -> Any:
    import networkx as nx

    g = nx.DiGraph() if graph["graph_type"] == "directed" else nx.Graph()
    for node in graph["nodes"]:
        g.add_node(node["id"])
    for edge in graph["edges"]:
        g.add_edge(
            edge["from"], edge["to"], weight=1.0 if edge["weight"] is None else edge["weight"]
        )
    return g


def _result(graph: dict[str, Any], text: str) -> Any:
    graph["metadata"] = {
        **graph.get("metadata", {}),
        "node_count": len(graph["nodes"]),
        "edge_count": len(graph["edges"]),
    }
    return output(
        {"graph": graph, "node_count": len(graph["nodes"]), "edge_count": len(graph["edges"])},
        text=text,
    )


def _create(params: dict[str, Any]) -> Any:
    kind = params.get("graph_type", "directed")
    graph = _normalize(
        {"graph_type": kind, "nodes": params.get("nodes") or [], "edges": params.get("edges") or []}
    )
    return _result(
        graph,
        f"created an empty {kind} graph"
        if not graph["nodes"]
        else f"created a {kind} graph with {len(graph['nodes'])} nodes",
    )


def _add_node(params: dict[str, Any]) -> Any:
    graph = _graph_arg(params)
    node_id = params.get("node_id")
    if node_id is None:
        fail("'node_id' is required for add_node", kind="ValidationError")
    if any(n["id"] == str(node_id) for n in graph["nodes"]):
        fail(f"node with id {str(node_id)!r} already exists", kind="ValidationError")
    if len(graph["nodes"]) >= MAX_NODES:
        fail(f"the graph already has the maximum of {MAX_NODES} nodes")
    graph["nodes"].append(
        {"id": str(node_id), "label": params.get("label"), "data": params.get("data")}
    )
    return _result(graph, f"added node {node_id!s}")


def _add_edge(params: dict[str, Any]) -> Any:
    graph = _graph_arg(params)
    src, dst = params.get("from"), params.get("to")
    if src is None or dst is None:
        fail("'from' and 'to' are required for add_edge", kind="ValidationError")
    ids = {n["id"] for n in graph["nodes"]}
    for name, end in (("source", src), ("target", dst)):
        if str(end) not in ids:
            if not params.get("create_nodes"):
                fail(
                    f"{name} node {str(end)!r} does not exist (add it first, or pass "
                    "create_nodes=true)"
                )
            graph["nodes"].append({"id": str(end), "label": None, "data": None})
            ids.add(str(end))
    if len(graph["edges"]) >= MAX_EDGES:
        fail(f"the graph already has the maximum of {MAX_EDGES} edges")
    graph["edges"].append(
        {
            "from": str(src),
            "to": str(dst),
            "label": params.get("label"),
            "weight": params.get("weight"),
            "data": params.get("data"),
        }
    )
    return _result(graph, f"added edge {src!s} -> {dst!s}")


def _analyze(params: dict[str, Any]) -> Any:
    import networkx as nx

    graph = _graph_arg(params)
    g = _nx(graph)
    n, m = g.number_of_nodes(), g.number_of_edges()
    degrees = [d for _, d in g.degree()]
    directed = graph["graph_type"] == "directed"
    if directed:
        components = list(nx.weakly_connected_components(g)) if n else []
        connected = bool(n) and nx.is_weakly_connected(g)
    else:
        components = list(nx.connected_components(g)) if n else []
        connected = bool(n) and nx.is_connected(g)
    centrality = nx.degree_centrality(g) if n > 1 else {}
    top = sorted(centrality.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    result: dict[str, Any] = {
        "node_count": n,
        "edge_count": m,
        "graph_type": graph["graph_type"],
        "density": nx.density(g) if n > 1 else 0.0,
        "degree_statistics": {
            "max_degree": max(degrees, default=0),
            "min_degree": min(degrees, default=0),
            "average_degree": sum(degrees) / n if n else 0.0,
        },
        "properties": {
            "is_empty": n == 0,
            "is_connected": connected,
            "has_self_loops": nx.number_of_selfloops(g) > 0,
            "is_dag": nx.is_directed_acyclic_graph(g) if directed else None,
        },
        "component_count": len(components),
        "components": [sorted(c) for c in components][:100],
        "isolated_nodes": sorted(nx.isolates(g)),
        "top_degree_centrality": [{"node": k, "centrality": v} for k, v in top],
        "node_ids": [node["id"] for node in graph["nodes"]],
    }
    if directed and result["properties"]["is_dag"]:
        result["topological_order"] = list(nx.topological_sort(g))
    text = f"{n} nodes, {m} edges, {len(components)} component(s)"
    return output(result, text=text)


def _shortest_path(params: dict[str, Any]) -> Any:
    import networkx as nx

    graph = _graph_arg(params)
    src, dst = params.get("from", params.get("source")), params.get("to", params.get("target"))
    if src is None or dst is None:
        fail("'from' and 'to' are required for shortest_path", kind="ValidationError")
    g = _nx(graph)
    for name, end in (("source", src), ("target", dst)):
        if str(end) not in g:
            fail(f"{name} node {str(end)!r} does not exist")
    weighted = params.get("weighted", True)
    weight = "weight" if weighted else None
    try:
        path = nx.shortest_path(g, str(src), str(dst), weight=weight)
        length = nx.path_weight(g, path, "weight") if weighted else len(path) - 1
    except nx.NetworkXNoPath:
        return output(
            {"path": None, "found": False, "length": None, "hops": None},
            text=f"no path from {src!s} to {dst!s}",
        )
    except ValueError as exc:  # negative weights with Dijkstra
        fail(f"cannot compute the shortest path: {exc}")
    return output(
        {"path": path, "found": True, "length": length, "hops": len(path) - 1},
        text=" -> ".join(path),
    )


def _export(params: dict[str, Any]) -> Any:
    graph = _graph_arg(params)
    fmt = params.get("format", "json")
    if fmt == "node_link":
        import networkx as nx

        g = _nx(graph)
        for node in graph["nodes"]:
            g.nodes[node["id"]].update(label=node["label"], data=node["data"])
        data = nx.node_link_data(g, edges="links")
        text = json.dumps(data, ensure_ascii=False)
    else:
        text = json.dumps(graph, ensure_ascii=False, indent=2)
    return output(
        {
            "json": text,
            "format": fmt,
            "node_count": len(graph["nodes"]),
            "edge_count": len(graph["edges"]),
            "graph": graph,
        },
        text=text,
    )


def _import(params: dict[str, Any]) -> Any:
    graph = _graph_arg(params)
    return _result(graph, f"imported {len(graph['nodes'])} nodes, {len(graph['edges'])} edges")


def run(params: dict[str, Any], ctx: Any) -> Any:
    """Run one graph operation on the graph passed in."""
    ops = {
        "create_graph": _create,
        "add_node": _add_node,
        "add_edge": _add_edge,
        "analyze": _analyze,
        "shortest_path": _shortest_path,
        "export_json": _export,
        "import_json": _import,
    }
    return dispatch(params, ops, params, default="create_graph")


_GRAPH = {
    "type": ["string", "object"],
    "description": "the graph: JSON text or an object {graph_type, nodes, edges}",
}

TOOL = Tool(
    name="graph-builder",
    description="Build and analyze graphs (networkx). Stateless: pass the graph in and get "
    "the updated one back in result.graph. create_graph (graph_type directed|undirected, "
    "optional nodes/edges), add_node (graph, node_id, label, data), add_edge (graph, from, "
    "to, weight, label), analyze (density, degrees, components, centrality), shortest_path "
    "(graph, from, to; weighted by 'weight'), export_json (JSON text in result.json; "
    "format json|node_link), import_json (input: graph JSON, also networkx node-link).",
    category="data",
    handler=run,
    timeout_seconds=30,
    tags=("graph", "network", "networkx"),
    parameters={
        "type": "object",
        "properties": {
            "operation": {
                "type": "string",
                "enum": [
                    "create_graph",
                    "add_node",
                    "add_edge",
                    "analyze",
                    "shortest_path",
                    "export_json",
                    "import_json",
                ],
                "default": "create_graph",
            },
            "graph_type": {
                "type": "string",
                "enum": ["directed", "undirected"],
                "default": "directed",
            },
            "graph": _GRAPH,
            "input": _GRAPH,
            "nodes": {"type": "array", "description": "create_graph: initial nodes [{id, label}]"},
            "edges": {"type": "array", "description": "create_graph: initial edges [{from, to}]"},
            "node_id": {"type": ["string", "integer"]},
            "label": {"type": "string"},
            "data": {"type": "object", "description": "extra data on the node or edge"},
            "from": {"type": ["string", "integer"], "description": "the source node id"},
            "to": {"type": ["string", "integer"], "description": "the target node id"},
            "weight": {"type": "number"},
            "weighted": {"type": "boolean", "default": True},
            "create_nodes": {
                "type": "boolean",
                "default": False,
                "description": "add_edge: create missing endpoints",
            },
            "format": {"type": "string", "enum": ["json", "node_link"], "default": "json"},
        },
        "additionalProperties": False,
    },
)
