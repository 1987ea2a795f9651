"""Exceptions kept to be raised again hold no frames, and each raise is a fresh copy."""

from __future__ import annotations

import pytest

from engine.kept_errors import raised_again, without_frames


def fault() -> OverflowError:
    try:
        try:
            raise ValueError("inner")
        except ValueError:
            raise OverflowError("cannot convert float infinity to integer") from None
    except OverflowError as exc:
        return exc


def test_a_kept_exception_holds_no_frames_and_stays_so_when_raised_again() -> None:
    kept = without_frames(fault())
    assert (kept.__traceback__, kept.__context__, kept.__cause__) == (None, None, None)
    raised = []
    for _ in range(3):
        with pytest.raises(OverflowError) as caught:
            raise raised_again(kept)
        raised.append(caught.value)
    assert kept.__traceback__ is None  # the raises did not add their frames to it
    assert len({id(exc) for exc in raised}) == 3
    assert all(str(exc) == "cannot convert float infinity to integer" for exc in raised)


class Rebuilt(Exception):
    """Its message is made from its argument: built again from its message, it says
    something else."""

    def __init__(self, pattern: str) -> None:
        super().__init__(f"/{pattern}/ gave up")


class Unbuilt(Exception):
    """It cannot be built again from its message alone."""

    def __init__(self, pattern: str, seconds: float) -> None:
        super().__init__(f"/{pattern}/ gave up after {seconds} s")


@pytest.mark.parametrize("kept", [Rebuilt("a+"), Unbuilt("a+", 1.0)])
def test_an_exception_that_does_not_copy_as_itself_is_raised_as_it_is(kept: Exception) -> None:
    message = str(kept)
    again = raised_again(without_frames(kept))
    assert again is kept
    assert (str(again), again.__traceback__) == (message, None)
