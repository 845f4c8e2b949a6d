"""Study: the study definition (a TOML file validated into frozen objects), loading a study
by file or stored name, the store (study.store) and importers of published datasets
(study.importers)."""

from study.config import (
    AnalysisPlan,
    Arguments,
    Control,
    CustomStrategy,
    Exclusions,
    Generation,
    HumanWriting,
    ModelEntry,
    Participants,
    Quality,
    Recruitment,
    Schedules,
    Simulation,
    Study,
    StudyFileError,
    StudyMeta,
    Writer,
    load_study,
    parse_study,
    study_hash,
)
from study.config_survey import SCALE_LABELS, AttentionCheck
from study.examples import example_study_text, write_example
from study.loading import LoadedStudy, is_study_file, load_and_register

__all__ = [
    "SCALE_LABELS",
    "AnalysisPlan",
    "Arguments",
    "AttentionCheck",
    "Control",
    "CustomStrategy",
    "Exclusions",
    "Generation",
    "HumanWriting",
    "LoadedStudy",
    "ModelEntry",
    "Participants",
    "Quality",
    "Recruitment",
    "Schedules",
    "Simulation",
    "Study",
    "StudyFileError",
    "StudyMeta",
    "Writer",
    "example_study_text",
    "is_study_file",
    "load_and_register",
    "load_study",
    "parse_study",
    "study_hash",
    "write_example",
]
