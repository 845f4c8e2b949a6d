"""Importers of published persuasion datasets into the study store."""

from study.importers.anthropic import (
    DatasetImportSummary,
    import_anthropic,
    parse_anthropic,
    read_anthropic_csv,
)

__all__ = ["DatasetImportSummary", "import_anthropic", "parse_anthropic", "read_anthropic_csv"]
