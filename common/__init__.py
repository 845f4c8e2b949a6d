"""Conventions shared by every package (the bottom layer: imports nothing of ours)."""
