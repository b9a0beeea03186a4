"""How labels and their levels are named to buyers (Dutch)."""

from __future__ import annotations

from contracts.labels import LABEL_DISPLAY_NAMES

_BY_CODE: dict[str, str] = {code: name for code, name in LABEL_DISPLAY_NAMES.items()}
_LEVEL_NAMES = {"boost": "BOOST-lid", "lid": "Lid"}


def label_name(label: str) -> str:
    """The label's display name, e.g. `Code Sociale Ondernemingen`."""
    return _BY_CODE.get(label, label)


def level_text(level: str | None, pso30plus: bool = False) -> str | None:
    """A normalised level as published, e.g. `trede-3` -> `Trede 3`, plus the PSO 30+ mark."""
    parts: list[str] = []
    if level:
        text = _LEVEL_NAMES.get(level) or level.replace("-", " ").strip()
        parts.append(text[:1].upper() + text[1:])
    if pso30plus:
        parts.append("PSO 30+")
    return ", ".join(parts) or None
