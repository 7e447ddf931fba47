"""The dashboard's five panes."""
