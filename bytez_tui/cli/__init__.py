"""Scriptable twins of the dashboard's panes (placeholder)."""

from __future__ import annotations

import argparse

__all__ = ["main"]


def main(argv: list[str], options: argparse.Namespace) -> int:
    """Run one scripted command; returns the exit code."""
    raise SystemExit(f"bytez-tui {argv[0]}: not built yet")
