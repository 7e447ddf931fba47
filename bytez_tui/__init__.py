"""bytez-tui: a terminal dashboard for the Bytez model-serving API."""

__version__ = "0.1.0"
