"""The study file's [recruitment] section: reward in minor units of the workspace currency,
Prolific's minimum hourly pay, the time limit and the filters that are always sent."""

import pytest

from study.config import StudyFileError, parse_study
from study.config_recruitment import filter_payload, money, prolific_minimum_allowed_minutes
from study.examples import example_study_text

PROLIFIC = 'platform = "prolific"\nsurvey_url = "https://survey.example.org/s"\n'


def study_with(recruitment: str, participants: str = "") -> str:
    text = example_study_text("s").replace('platform = "simulated"', PROLIFIC + recruitment)
    if participants:
        text = text.replace("[participants]\n", "[participants]\n" + participants, 1)
    return text


def test_reward_is_in_minor_units_of_the_currency() -> None:
    rec = parse_study(study_with('reward = 300\ncurrency = "USD"\n')).recruitment
    assert (rec.reward_minor, rec.currency, money(rec.reward_minor, rec.currency)) == (
        300,
        "USD",
        "$3.00",
    )


def test_reward_gbp_still_works_as_pounds() -> None:
    rec = parse_study(study_with("reward_gbp = 2.5\n")).recruitment
    assert (rec.reward_minor, rec.currency) == (250, "GBP")
    with pytest.raises(StudyFileError, match=r"reward_gbp is in pounds but recruitment\.currency"):
        parse_study(study_with('reward_gbp = 2.5\ncurrency = "USD"\n'))
    with pytest.raises(StudyFileError, match="keep only reward"):
        parse_study(study_with("reward_gbp = 2.5\nreward = 250\n"))


def test_a_reward_below_prolifics_minimum_hourly_pay_is_refused() -> None:
    with pytest.raises(StudyFileError) as err:
        parse_study(
            study_with('reward = 100\ncurrency = "USD"\nestimated_minutes = 12\n'), "s.toml"
        )
    assert str(err.value) == (
        "s.toml: recruitment: recruitment.reward = 100 ($1.00 for 12 minutes, $5.00 an hour) is "
        "below Prolific's minimum of $8.00 an hour; set recruitment.reward to at least 160 "
        "($2.40, 240, meets the recommended $12.00 an hour)"
    )
    parse_study(study_with('reward = 160\ncurrency = "USD"\nestimated_minutes = 12\n'))


def test_the_survey_reservation_is_prolifics_time_limit() -> None:
    assert prolific_minimum_allowed_minutes(12) == 21  # 2 + 12 + 2 * sqrt(12) = 20.9
    with pytest.raises(StudyFileError) as err:
        parse_study(study_with("", participants="reservation_minutes = 15\n"), "s.toml")
    assert str(err.value) == (
        "s.toml: participants.reservation_minutes = 15 is Prolific's time limit "
        "(maximum_allowed_time) and must be at least 21 minutes for "
        "recruitment.estimated_minutes = 12; raise it"
    )


def test_filters_become_prolific_filter_objects() -> None:
    text = study_with(
        "[recruitment.filters]\n"
        'countries = ["1"]\nlanguages = ["19"]\nmin_approval_rate = 95\n'
        'block_participants = ["p1"]\nblock_studies = ["old1"]\n'
        '[[recruitment.filters.custom]]\nfilter_id = "age"\n'
        "selected_range = {lower = 18, upper = 65}\n"
    )
    filters = parse_study(text).recruitment.filters
    assert filter_payload(filters, ("wave1", "old1")) == [
        {"filter_id": "current-country-of-residence", "selected_values": ["1"]},
        {"filter_id": "fluent-languages", "selected_values": ["19"]},
        {"filter_id": "approval_rate", "selected_range": {"lower": 95, "upper": 100}},
        {"filter_id": "custom_blocklist", "selected_values": ["p1"]},
        {"filter_id": "previous_studies_blocklist", "selected_values": ["old1", "wave1"]},
        {"filter_id": "age", "selected_range": {"lower": 18, "upper": 65}},
    ]
    assert filter_payload(parse_study(study_with("")).recruitment.filters) == []


def test_a_custom_filter_needs_values_or_a_range() -> None:
    text = study_with('[[recruitment.filters.custom]]\nfilter_id = "age"\n')
    with pytest.raises(StudyFileError, match="needs either selected_values"):
        parse_study(text)
