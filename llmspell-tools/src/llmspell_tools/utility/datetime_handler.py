"""datetime-handler: parse, format, convert, shift and compare dates (zoneinfo + dateutil)."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from llmspell.tools import Tool
from llmspell_tools._support import dispatch, fail, output

#: named formats for ``format`` (anything else is a strftime pattern)
NAMED_FORMATS = {
    "iso8601": "2024-03-05T14:07:09+00:00",
    "rfc3339": "2024-03-05T14:07:09Z",
    "rfc2822": "Tue, 05 Mar 2024 14:07:09 +0000",
    "unix": "1709647629",
    "unix_ms": "1709647629000",
    "date": "2024-03-05",
    "time": "14:07:09",
    "datetime": "2024-03-05 14:07:09",
    "human": "Tuesday, March 5, 2024 at 2:07 PM UTC",
}
UNITS = ("seconds", "minutes", "hours", "days", "weeks", "months", "years")
MAX_INPUT = 1000


def _zone(name: str | None, what: str = "timezone") -> tzinfo:
    if not name or name.upper() in ("UTC", "Z", "GMT"):
        return UTC
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        fail(
            f"unknown {what} {name!r} (use an IANA name such as 'Europe/Paris' or 'UTC')",
            kind="ValidationError",
        )


def _parse(text: str | None, params: dict[str, Any], what: str = "input") -> datetime:
    """``text`` as an aware datetime; naive values are in ``timezone`` (default UTC);
    'now', 'today', 'tomorrow', 'yesterday' and Unix timestamps are understood."""
    zone = _zone(params.get("timezone"))
    if text is None or text.strip().lower() == "now":
        return datetime.now(zone)
    raw = text.strip()
    if len(raw) > MAX_INPUT:
        fail(f"{what} is longer than {MAX_INPUT} characters", kind="ValidationError")
    lowered = raw.lower()
    if lowered in ("today", "tomorrow", "yesterday"):
        day = datetime.now(zone).replace(hour=0, minute=0, second=0, microsecond=0)
        return day + timedelta(days={"today": 0, "tomorrow": 1, "yesterday": -1}[lowered])
    try:
        number = float(raw)
    except ValueError:
        number = None
    if number is not None:
        seconds = number / 1000 if abs(number) > 1e11 else number  # ms timestamps
        try:
            return datetime.fromtimestamp(seconds, UTC).astimezone(zone)
        except (OverflowError, OSError, ValueError):
            fail(f"{what} {raw!r} is out of the supported range", operation="parse")
    from dateutil import parser

    try:
        value: datetime = parser.parse(raw)
    except (ValueError, OverflowError) as exc:
        fail(f"cannot parse {what} {raw!r} as a date/time: {exc}", operation="parse")
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value


def _describe(value: datetime) -> dict[str, Any]:
    offset = value.utcoffset() or timedelta(0)
    return {
        "datetime": value.isoformat(),
        "utc": value.astimezone(UTC).isoformat(),
        "unix": value.timestamp(),
        "timezone": str(value.tzinfo),
        "utc_offset": _offset(offset),
    }


def _offset(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _render(value: datetime, fmt: str) -> str:
    if fmt == "iso8601":
        return value.isoformat()
    if fmt == "rfc3339":
        utc = value.astimezone(UTC)
        return utc.strftime("%Y-%m-%dT%H:%M:%S") + (
            f".{utc.microsecond:06d}Z" if utc.microsecond else "Z"
        )
    if fmt == "rfc2822":
        from email.utils import format_datetime

        return format_datetime(value)
    if fmt == "unix":
        return str(int(value.timestamp()))
    if fmt == "unix_ms":
        return str(int(value.timestamp() * 1000))
    if fmt == "date":
        return value.strftime("%Y-%m-%d")
    if fmt == "time":
        return value.strftime("%H:%M:%S")
    if fmt == "datetime":
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if fmt == "human":
        hour = value.hour % 12 or 12
        return (
            f"{value:%A}, {value:%B} {value.day}, {value.year} at "
            f"{hour}:{value:%M} {'AM' if value.hour < 12 else 'PM'} {value.tzname()}"
        )
    if len(fmt) > 200:
        fail("format pattern is longer than 200 characters", kind="ValidationError")
    try:
        return value.strftime(fmt)
    except ValueError as exc:
        fail(f"bad format pattern {fmt!r}: {exc}", operation="format")


def _now(params: dict[str, Any]) -> Any:
    value = datetime.now(_zone(params.get("timezone")))
    result = _describe(value)
    result["format"] = params.get("format") or "iso8601"  # rs-llmspell reads it
    if params.get("format"):
        result["formatted"] = _render(value, params["format"])
    return output(result, text=result.get("formatted", result["datetime"]))


def _parse_op(params: dict[str, Any]) -> Any:
    if params.get("input") is None:
        fail("operation 'parse' needs 'input'", kind="ValidationError")
    value = _parse(params["input"], params)
    result = _describe(value)
    result["components"] = {
        "year": value.year, "month": value.month, "day": value.day, "hour": value.hour,
        "minute": value.minute, "second": value.second, "microsecond": value.microsecond,
        "weekday": value.strftime("%A"),
    }  # fmt: skip
    return output(result, text=result["datetime"])


def _format(params: dict[str, Any]) -> Any:
    fmt = params.get("format") or "iso8601"
    value = _parse(params.get("input"), params)
    if params.get("target_timezone"):
        value = value.astimezone(_zone(params["target_timezone"], "target_timezone"))
    rendered = _render(value, fmt)
    return output({"formatted": rendered, "format": fmt, "datetime": value.isoformat()}, rendered)


def _convert(params: dict[str, Any]) -> Any:
    target = params.get("target_timezone")
    if not target:
        fail("operation 'convert_timezone' needs 'target_timezone'", kind="ValidationError")
    value = _parse(params.get("input"), params)
    converted = value.astimezone(_zone(target, "target_timezone"))
    result = _describe(converted)
    result.update(original=value.isoformat(), target_timezone=target)
    return output(result, text=result["datetime"])


def _add(params: dict[str, Any]) -> Any:
    from dateutil.relativedelta import relativedelta

    amount = params.get("amount")
    if amount is None:
        fail("operation 'add' needs 'amount' (negative to subtract)", kind="ValidationError")
    unit = params.get("unit", "days")
    value = _parse(params.get("input"), params)
    whole = int(amount)
    if unit in ("months", "years") and whole != amount:
        fail(f"'amount' must be a whole number for unit {unit!r}", kind="ValidationError")
    try:
        if unit in ("months", "years"):
            shifted = value + relativedelta(**{unit: whole})
        else:
            shifted = value + timedelta(**{unit: amount})
    except OverflowError:
        fail("the result is out of the supported date range", operation="add")
    result = _describe(shifted)
    result.update(original=value.isoformat(), amount=amount, unit=unit)
    return output(result, text=result["datetime"])


def _difference(params: dict[str, Any]) -> Any:
    from dateutil.relativedelta import relativedelta

    if params.get("start") is None or params.get("end") is None:
        fail("operation 'difference' needs 'start' and 'end'", kind="ValidationError")
    start = _parse(params["start"], params, "start")
    end = _parse(params["end"], params, "end")
    seconds = (end - start).total_seconds()
    rel = relativedelta(end, start)
    parts = [
        f"{abs(n)} {unit if abs(n) != 1 else unit[:-1]}"
        for unit, n in (("years", rel.years), ("months", rel.months), ("days", rel.days),
                        ("hours", rel.hours), ("minutes", rel.minutes), ("seconds", rel.seconds))
        if n
    ]  # fmt: skip
    human = ", ".join(parts) or "0 seconds"
    if seconds < 0:
        human += " (end is before start)"
    result = {
        "seconds": seconds,
        "minutes": seconds / 60,
        "hours": seconds / 3600,
        "days": seconds / 86400,
        "weeks": seconds / 604800,
        "components": {
            "years": rel.years, "months": rel.months, "days": rel.days, "hours": rel.hours,
            "minutes": rel.minutes, "seconds": rel.seconds,
        },
        "human": human,
        "start": start.isoformat(),
        "end": end.isoformat(),
    }  # fmt: skip
    return output(result, text=human)


def _info(params: dict[str, Any]) -> Any:
    value = _parse(params.get("input"), params)
    iso = value.isocalendar()
    dst = value.dst()
    result = _describe(value)
    result.update(
        year=value.year,
        month=value.month,
        month_name=value.strftime("%B"),
        day=value.day,
        weekday=value.strftime("%A"),
        weekday_number=value.isoweekday(),
        day_of_year=value.timetuple().tm_yday,
        iso_week=iso.week,
        iso_year=iso.year,
        quarter=(value.month - 1) // 3 + 1,
        is_leap_year=calendar.isleap(value.year),
        days_in_month=calendar.monthrange(value.year, value.month)[1],
        is_weekend=value.isoweekday() >= 6,
        is_dst=bool(dst),
    )
    return output(result, text=result["datetime"])


def _formats(params: dict[str, Any]) -> Any:
    return output(
        {
            "named_formats": NAMED_FORMATS,
            "strftime_examples": {"%Y-%m-%d %H:%M": "2024-03-05 14:07", "%d/%m/%Y": "05/03/2024"},
            "units": list(UNITS),
            "parse_examples": [
                "2024-03-05T14:07:09Z",
                "March 5, 2024 2pm",
                "1709647629",
                "now",
                "today",
                "tomorrow",
                "yesterday",
            ],
        }
    )


def run(params: dict[str, Any], ctx: Any) -> Any:
    """Dispatch to the operation."""
    ops = {
        "now": _now,
        "parse": _parse_op,
        "format": _format,
        "convert_timezone": _convert,
        "add": _add,
        "difference": _difference,
        "info": _info,
        "formats": _formats,
    }
    return dispatch(params, ops, params)


_DT = "a date/time: ISO 8601, most human formats ('March 5, 2024 2pm'), a Unix timestamp, "
TOOL = Tool(
    name="datetime-handler",
    description="Work with dates and times: current time in a timezone (now), parse text "
    "(parse), format (format: named formats or strftime), convert between IANA timezones "
    "(convert_timezone), add/subtract amounts (add), the time between two dates "
    "(difference), calendar facts (info), list the formats (formats). Naive inputs are "
    "taken in 'timezone' (default UTC).",
    category="utility",
    handler=run,
    timeout_seconds=10,
    tags=("date", "time", "timezone"),
    parameters={
        "type": "object",
        "properties": {
            "operation": {
                "type": "string",
                "enum": [
                    "now",
                    "parse",
                    "format",
                    "convert_timezone",
                    "add",
                    "difference",
                    "info",
                    "formats",
                ],
            },
            "input": {"type": "string", "description": _DT + "'now', 'today' (default: now)"},
            "timezone": {
                "type": "string",
                "description": "IANA timezone of naive inputs and of 'now' (default UTC)",
            },
            "target_timezone": {"type": "string", "description": "IANA timezone to convert to"},
            "amount": {"type": "number", "description": "add: how many units (negative subtracts)"},
            "unit": {"type": "string", "enum": list(UNITS), "default": "days"},
            "start": {"type": "string", "description": "difference: " + _DT.rstrip(", ")},
            "end": {"type": "string", "description": "difference: " + _DT.rstrip(", ")},
            "format": {
                "type": "string",
                "description": "one of " + ", ".join(NAMED_FORMATS) + " or a strftime pattern",
            },
        },
        "required": ["operation"],
        "additionalProperties": False,
    },
)
