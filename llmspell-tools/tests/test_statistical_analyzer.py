"""statistical-analyzer: each operation over numbers and records, bad data, misuse."""

from __future__ import annotations

import pytest

from llmspell.errors import ValidationError

NUMS = [2, 4, 4, 4, 5, 5, 7, 9]


def test_describe(tools):
    r = tools.ok("statistical-analyzer", data=NUMS)["result"]
    assert r["count"] == 8 and r["mean"] == 5 and r["median"] == 4.5 and r["mode"] == 4
    assert r["population_stdev"] == 2 and r["min"] == 2 and r["range"] == 7
    recs = [{"v": {"x": n}} for n in NUMS] + [{"other": 1}]
    assert tools.ok("statistical-analyzer", data=recs, field="v.x")["result"]["count"] == 8


def test_correlation(tools):
    r = tools.ok("statistical-analyzer", operation="correlation", x=[1, 2, 3, 4], y=[2, 4, 6, 8.5])[
        "result"
    ]
    assert r["pearson"] > 0.99 and r["spearman"] == 1 and r["strength"] == "very strong"
    recs = [{"a": i, "b": -i} for i in range(5)]
    r = tools.ok("statistical-analyzer", operation="correlation", data=recs, fields=["a", "b"])
    assert r["result"]["pearson"] == pytest.approx(-1) and r["result"]["slope"] == -1
    assert (
        "constant"
        in tools.failed("statistical-analyzer", operation="correlation", x=[1, 1], y=[1, 2])[
            "error"
        ]
    )
    assert (
        "differ"
        in tools.failed("statistical-analyzer", operation="correlation", x=[1, 2], y=[1, 2, 3])[
            "error"
        ]
    )


def test_histogram(tools):
    r = tools.ok("statistical-analyzer", operation="histogram", data=NUMS, bins=7)["result"]
    assert [b["count"] for b in r["bins"]] == [1, 0, 3, 2, 0, 1, 1]
    assert sum(b["count"] for b in r["bins"]) == 8
    one = tools.ok("statistical-analyzer", operation="histogram", data=[3, 3], bins=2)
    assert one["result"]["bins"][0]["count"] == 2


def test_percentile(tools):
    r = tools.ok(
        "statistical-analyzer",
        operation="percentile",
        data=list(range(1, 101)),
        percentiles=[50, 90, 100],
    )["result"]
    assert r["percentiles"] == {"p50": 50.5, "p90": 90.1, "p100": 100.0}


def test_outliers(tools):
    data = [10, 11, 12, 11, 10, 12, 11, 95]
    r = tools.ok("statistical-analyzer", operation="outliers", data=data)["result"]
    assert r["outliers"] == [{"index": 8, "value": 95}]
    r = tools.ok(
        "statistical-analyzer", operation="outliers", data=data, method="zscore", threshold=2
    )["result"]
    assert r["outlier_count"] == 1 and r["outliers"][0]["z_score"] > 2


def test_bad_data(tools):
    assert "not a number" in tools.failed("statistical-analyzer", data=[1, "x"])["error"]
    assert "field" in tools.failed("statistical-analyzer", data=[{"a": 1}])["error"]
    assert "no numbers" in tools.failed("statistical-analyzer", data=[])["error"]
    assert "required" in tools.failed("statistical-analyzer")["error"]
    r = tools.failed("statistical-analyzer", data=[1] * 1_000_001)
    assert "over the limit" in r["error"]


def test_misuse(tools):
    with pytest.raises(ValidationError, match="parameter 'bins'"):
        tools("statistical-analyzer", operation="histogram", data=[1], bins=0)
    with pytest.raises(ValidationError, match="parameter 'data'"):
        tools("statistical-analyzer", data="1,2,3")
    with pytest.raises(ValidationError, match=r"parameter 'percentiles\[0\]'"):
        tools("statistical-analyzer", operation="percentile", data=[1], percentiles=[101])
