"""Geometry helpers shared by the page parsers (PDF and OCR)."""

from __future__ import annotations

from collections.abc import Sequence


def cluster(values: Sequence[float], tolerance: float) -> list[list[float]]:
    """Groups of nearby values: single linkage along the sorted values, a gap wider than
    `tolerance` starting a new group."""
    groups: list[list[float]] = []
    for value in sorted(values):
        if groups and value - groups[-1][-1] <= tolerance:
            groups[-1].append(value)
        else:
            groups.append([value])
    return groups
