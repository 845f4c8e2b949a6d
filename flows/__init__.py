"""Prefect flows: thin orchestration over the packages' plain functions.

Only the command line imports this package."""
