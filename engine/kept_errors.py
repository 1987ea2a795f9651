"""Exceptions kept to be raised again later (in a file's part that a history keeps
for all its commits), without holding on to the frames they were raised in.

An exception holds its traceback, and the traceback holds every frame it passed
through with their locals: a whole evaluation's context. Kept as it is, each
later raise of the same object adds that commit's frames to it, and runs pause
the cycle collector that would free them. So what is kept has no traceback and
no context, and what is raised again is a copy.
"""

from __future__ import annotations

import copy
from typing import TypeVar

E = TypeVar("E", bound=Exception)


def without_frames(exc: E) -> E:
    """`exc` without its traceback, context or cause (the same object)."""
    exc.__traceback__ = None
    exc.__context__ = None
    exc.__cause__ = None
    return exc


def raised_again(exc: E) -> E:
    """A copy of a kept exception to raise (same type and message); `exc` itself, its
    frames dropped, when it does not copy as itself."""
    try:
        fresh = copy.copy(exc)
    except Exception:  # an exception whose type cannot be rebuilt from its arguments
        return without_frames(exc)
    if type(fresh) is not type(exc) or str(fresh) != str(exc):
        return without_frames(exc)
    return without_frames(fresh)
