"""datetime-handler: every operation, timezones, DST, and bad input."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from llmspell.errors import ValidationError


def dt(tools, **params):
    return tools.ok("datetime-handler", **params)["result"]


def test_now(tools):
    r = dt(tools, operation="now", timezone="Asia/Tokyo")
    assert r["datetime"].endswith("+09:00") and r["timezone"] == "Asia/Tokyo"
    assert abs(r["unix"] - datetime.now(UTC).timestamp()) < 5
    assert dt(tools, operation="now", format="date")["formatted"] == str(datetime.now(UTC).date())


def test_parse(tools):
    r = dt(tools, operation="parse", input="March 5, 2024 2:07pm", timezone="Europe/Paris")
    assert r["datetime"] == "2024-03-05T14:07:00+01:00"
    assert r["components"]["weekday"] == "Tuesday"
    assert dt(tools, operation="parse", input="1709647629")["utc"] == "2024-03-05T14:07:09+00:00"
    assert dt(tools, operation="parse", input="1709647629000")["unix"] == 1709647629
    assert dt(tools, operation="parse", input="2024-03-05T14:07:09Z")["utc_offset"] == "+00:00"
    assert dt(tools, operation="parse", input="tomorrow")["datetime"].endswith("T00:00:00+00:00")


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("iso8601", "2024-03-05T14:07:09+00:00"),
        ("rfc3339", "2024-03-05T14:07:09Z"),
        ("rfc2822", "Tue, 05 Mar 2024 14:07:09 +0000"),
        ("unix", "1709647629"),
        ("unix_ms", "1709647629000"),
        ("date", "2024-03-05"),
        ("time", "14:07:09"),
        ("human", "Tuesday, March 5, 2024 at 2:07 PM UTC"),
        ("%d/%m/%Y %Hh", "05/03/2024 14h"),
    ],
)
def test_format(tools, fmt, expected):
    r = tools.ok("datetime-handler", operation="format", input="2024-03-05T14:07:09Z", format=fmt)
    assert r["result"]["formatted"] == expected == r["text"]


def test_convert_timezone_and_dst(tools):
    r = dt(tools, operation="convert_timezone", input="2024-07-01T12:00:00Z",
           target_timezone="America/New_York")  # fmt: skip
    assert r["datetime"] == "2024-07-01T08:00:00-04:00"
    winter = dt(tools, operation="convert_timezone", input="2024-01-01T12:00:00Z",
                target_timezone="America/New_York")  # fmt: skip
    assert winter["utc_offset"] == "-05:00"
    assert dt(tools, operation="info", input="2024-07-01T12:00", timezone="Europe/Berlin")["is_dst"]


def test_add(tools):
    r = dt(tools, operation="add", input="2024-01-31T00:00:00Z", amount=1, unit="months")
    assert r["datetime"] == "2024-02-29T00:00:00+00:00"
    r = dt(tools, operation="add", input="2024-01-01T00:00:00Z", amount=-1.5, unit="hours")
    assert r["datetime"] == "2023-12-31T22:30:00+00:00"
    assert dt(tools, operation="add", input="2024-01-01", amount=2)["datetime"].startswith(
        "2024-01-03"
    )
    assert tools.failed("datetime-handler", operation="add", input="2024-01-01", amount=0.5,
                        unit="years")  # fmt: skip
    assert tools.failed("datetime-handler", operation="add", input="2024-01-01", amount=1e12)
    assert tools.failed("datetime-handler", operation="add", input="2024-01-01")


def test_difference(tools):
    r = dt(tools, operation="difference", start="2024-01-01T00:00:00Z",
           end="2025-03-02T01:00:00Z")  # fmt: skip
    assert r["components"]["years"] == 1 and r["components"]["months"] == 2
    assert r["days"] == pytest.approx(426 + 1 / 24)
    assert r["human"] == "1 year, 2 months, 1 day, 1 hour"
    neg = dt(tools, operation="difference", start="2024-01-02", end="2024-01-01")
    assert neg["seconds"] == -86400
    assert tools.failed("datetime-handler", operation="difference", start="2024-01-01")


def test_info_and_formats(tools):
    r = dt(tools, operation="info", input="2024-02-10")
    assert r["is_leap_year"] and r["days_in_month"] == 29 and r["quarter"] == 1
    assert r["is_weekend"] and r["weekday"] == "Saturday" and r["day_of_year"] == 41
    assert "rfc2822" in dt(tools, operation="formats")["named_formats"]


def test_failures(tools):
    r = tools.failed("datetime-handler", operation="parse", input="not a date at all")
    assert "cannot parse" in r["error"]
    r = tools.failed("datetime-handler", operation="now", timezone="Mars/Olympus")
    assert "unknown timezone" in r["error"]
    assert tools.failed("datetime-handler", operation="convert_timezone", input="2024-01-01")
    assert tools.failed("datetime-handler", operation="parse")
    assert tools.failed("datetime-handler", operation="parse", input="1" * 2000)


def test_misuse(tools):
    with pytest.raises(ValidationError, match="parameter 'operation'"):
        tools("datetime-handler", operation="yesterday")
    with pytest.raises(ValidationError, match="parameter 'unit'"):
        tools("datetime-handler", operation="add", amount=1, unit="fortnights")
    with pytest.raises(ValidationError, match="parameter 'amount'"):
        tools("datetime-handler", operation="add", amount="1")
