"""CLI entry for the demo (kept separate so `plugin.demo` stays free of Typer)."""

from plugin.demo import run_demo

__all__ = ["run_demo"]
