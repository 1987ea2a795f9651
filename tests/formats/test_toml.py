"""TOML dates and times are RFC 3339 text, meaning what tomllib reads them as."""

from __future__ import annotations

import datetime
import re
import tomllib

from hypothesis import given
from hypothesis import strategies as st

from engine.formats import parser

MOMENT = re.compile(
    r"\d{4}-\d\d-\d\d"  # a date
    r"|\d\d:\d\d:\d\d(\.\d{6})?"  # a local time
    r"|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?(Z|[+-]\d\d:\d\d)?"  # a datetime
)


def test_each_kind_of_date_and_time() -> None:
    text = (
        "date = 2024-01-01\ntime = 07:32:00\nlocal = 1979-05-27 07:32:00\n"
        "utc = 1979-05-27T07:32:00Z\nzero = 1979-05-27T07:32:00+00:00\n"
        "offset = 1979-05-27T00:32:00.999999-07:00\nhalf = 07:32:00.5\n"
        "[[releases]]\nat = [2024-02-29, {when = 23:59:59}]\n"
    )
    [document] = parser("toml")(text)
    assert document.data == {
        "date": "2024-01-01",
        "time": "07:32:00",
        "local": "1979-05-27T07:32:00",
        "utc": "1979-05-27T07:32:00Z",
        "zero": "1979-05-27T07:32:00Z",
        "offset": "1979-05-27T00:32:00.999999-07:00",
        "half": "07:32:00.500000",
        "releases": [{"at": ["2024-02-29", {"when": "23:59:59"}]}],
    }


OFFSETS = st.one_of(
    st.none(),
    st.integers(-23 * 60 - 59, 23 * 60 + 59).map(
        lambda minutes: datetime.timezone(datetime.timedelta(minutes=minutes))
    ),
)
MOMENTS = st.one_of(st.dates(), st.times(), st.datetimes(timezones=OFFSETS))


@st.composite
def toml_literal(draw: st.DrawFn) -> str:
    """A TOML date, time or datetime, written in any of the ways TOML allows."""
    value = draw(MOMENTS)
    text = value.isoformat()
    if isinstance(value, datetime.datetime):
        text = text.replace("T", draw(st.sampled_from(["T", "t", " "])), 1)
        if value.utcoffset() == datetime.timedelta(0):
            text = text.removesuffix("+00:00") + draw(st.sampled_from(["Z", "z", "+00:00"]))
    return text


def _with_offset(text: str) -> tuple[object, object]:
    value = datetime.datetime.fromisoformat(text) if "T" in text else None
    if value is not None:
        return value, value.utcoffset()
    if ":" in text:
        return datetime.time.fromisoformat(text), None
    return datetime.date.fromisoformat(text), None


@given(toml_literal())
def test_text_means_what_tomllib_reads(literal: str) -> None:
    expected = tomllib.loads(f"v = {literal}")["v"]
    [document] = parser("toml")(f"v = {literal}")
    text = document.data["v"]
    assert MOMENT.fullmatch(text), text
    offset = expected.utcoffset() if isinstance(expected, datetime.datetime) else None
    assert _with_offset(text) == (expected, offset)
