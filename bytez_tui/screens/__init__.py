"""Screens: the main dashboard and its dialogs."""
