"""Where the built-in packs and the JSON Schemas are, installed or in a checkout."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    bundled = _HERE / "_data" / name  # inside an installed wheel
    return bundled if bundled.is_dir() else _HERE.parent / name  # a source checkout


def builtin_packs_dir() -> Path:
    """The folder of the packs that ship with rulepack."""
    return _data_dir("rulepacks")


def schema_path(name: str) -> Path:
    """Path of one of the JSON Schemas (`rulepack`, `config`, `report`)."""
    return _data_dir("schemas") / f"{name}.schema.json"
