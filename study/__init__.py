"""Study: the study definition (TOML validated into frozen objects), the store, and the
command line."""

from study.config import Study, StudyFileError, Writer, load_study, parse_study

__all__ = ["Study", "StudyFileError", "Writer", "load_study", "parse_study"]
