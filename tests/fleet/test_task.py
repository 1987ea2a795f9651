"""How one repository's task of a fleet run words what went wrong (engine/fleet/task.py)."""

from __future__ import annotations

from engine.errors import MAX_MESSAGE_CHARS, Location, Problem
from engine.fleet.task import _said


def test_a_problem_keeps_its_whole_location_and_has_its_message_cut() -> None:
    place = "/srv/" + "deeply/nested/" * 30 + "pack.yaml"
    said = _said(Problem("x" * 2 * MAX_MESSAGE_CHARS, Location(place, 3, 7), "r1"))
    assert said.startswith(f"{place}:3:7: rule r1: xxx")
    assert len(said) < len(place) + MAX_MESSAGE_CHARS + 20  # the message was cut
    assert _said(Problem("no such ref", None, None)) == "no such ref"
