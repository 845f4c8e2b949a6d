"""The Prolific client against a loopback stand-in of its API (no network)."""

from collections.abc import Iterator

import pytest

from fieldwork.platforms import PlatformError, PublishRequest, Submission, get_platform
from fieldwork.platforms.prolific import ProlificClient, ProlificPlatform
from study.config import Recruitment
from tests.support.prolific_standin import ProlificStandin, prolific_standin

REQUEST = PublishRequest(
    name="Opinions",
    internal_name="s wave 1",
    description="Read and rate.",
    survey_url="https://survey.example.org/s/abc",
    places=4,
    reward_pence=250,
    estimated_minutes=12,
    completion_code="C1234567",
    failed_attention_code="CFAILED1",
)
RECRUITMENT = Recruitment(platform="prolific", survey_url="https://survey.example.org/s")


@pytest.fixture
def standin() -> Iterator[ProlificStandin]:
    with prolific_standin(token="sekret", page_size=2) as s:
        yield s


def platform_for(standin: ProlificStandin, token: str = "sekret") -> ProlificPlatform:
    env = {"PROLIFIC_API_TOKEN": token, "PROLIFIC_API_URL": standin.url}
    platform = get_platform("prolific", RECRUITMENT, env)
    assert isinstance(platform, ProlificPlatform)
    return platform


def test_create_and_publish_send_token_and_study_fields(standin: ProlificStandin) -> None:
    platform = platform_for(standin)
    ref = platform.create(REQUEST)
    platform.publish(ref)
    create, publish = standin.requests
    assert (create.method, create.path) == ("POST", "/api/v1/studies/")
    assert create.headers["Authorization"] == "Token sekret"
    assert create.body["external_study_url"].endswith("SESSION_ID={{%SESSION_ID%}}")
    assert (publish.path, publish.body) == (
        f"/api/v1/studies/{ref}/transition/",
        {"action": "PUBLISH"},
    )
    assert standin.state.studies[ref]["status"] == "ACTIVE"


def test_submissions_follow_pages(standin: ProlificStandin) -> None:
    platform = platform_for(standin)
    ref = platform.create(REQUEST)
    ids = [standin.add_submission(ref) for _ in range(5)]
    standin.add_submission("another-study")
    subs = platform.submissions(ref)
    assert [s.id for s in subs] == ids
    assert len(standin.calls("GET", "/submissions/")) == 3


def test_approve_reject_and_return_reach_the_api(standin: ProlificStandin) -> None:
    platform = platform_for(standin)
    ref = platform.create(REQUEST)
    a, r, t = (standin.add_submission(ref) for _ in range(3))
    subs = {s.id: s for s in platform.submissions(ref)}
    platform.approve(subs[a])
    platform.reject(subs[r], "m" * 120, "FAILED_CHECK")
    platform.request_return(subs[t], ["Didn't finish the study."])
    assert standin.submission(a)["status"] == "APPROVED"
    assert standin.submission(r)["status"] == "REJECTED"
    assert standin.submission(t)["return_requested"]
    (reject,) = [c for c in standin.calls("POST", f"/submissions/{r}/transition/")]
    assert reject.body["rejection_category"] == "FAILED_CHECK"


def test_timed_out_submission_is_never_sent_for_approval(standin: ProlificStandin) -> None:
    platform = platform_for(standin)
    ref = platform.create(REQUEST)
    sid = standin.add_submission(ref, status="TIMED-OUT")
    (sub,) = platform.submissions(ref)
    with pytest.raises(ValueError, match="its status is 'timed_out'"):
        platform.approve(sub)
    assert standin.calls("POST", "/submissions/") == []
    assert standin.submission(sid)["status"] == "TIMED-OUT"


def test_api_refusal_becomes_one_clear_error(standin: ProlificStandin) -> None:
    platform = platform_for(standin)
    ref = platform.create(REQUEST)
    sid = standin.add_submission(ref, status="APPROVED")
    stale = Submission(sid, "p", "awaiting_review")  # our view is stale; Prolific says no
    with pytest.raises(PlatformError) as err:
        platform.approve(stale)
    assert str(err.value) == (
        f"Prolific refused to approve submission {sid} (HTTP 400): cannot APPROVE a "
        "APPROVED submission"
    )


def test_wrong_token_names_the_fix(standin: ProlificStandin) -> None:
    with pytest.raises(PlatformError) as err:
        platform_for(standin, token="wrong").create(REQUEST)
    assert str(err.value).startswith(
        "Prolific refused to create the study (HTTP 401): Invalid token.; check the API token"
    )


def test_missing_token_names_the_variable() -> None:
    with pytest.raises(ValueError) as err:
        get_platform("prolific", RECRUITMENT, {})
    assert str(err.value) == (
        "the Prolific API token is missing: set the environment variable PROLIFIC_API_TOKEN "
        "(create a token in Prolific under Settings > API tokens)"
    )


def test_rate_limits_and_outages_are_retried_a_bounded_number_of_times(
    standin: ProlificStandin,
) -> None:
    waits: list[float] = []
    client = ProlificClient("sekret", standin.url, attempts=3, sleep=waits.append)
    platform = ProlificPlatform(client)
    standin.fail_next(429, headers={"Retry-After": "7"})
    standin.fail_next(503)
    ref = platform.create(REQUEST)
    assert ref in standin.state.studies
    assert waits == [7.0, 1.0]
    standin.fail_next(503, times=3)
    with pytest.raises(PlatformError, match=r"HTTP 503\): the stand-in was told to fail"):
        platform.publish(ref)
    assert len(standin.calls("POST", "/transition/")) == 3


def test_unreachable_api_gives_one_error_after_bounded_attempts() -> None:
    with prolific_standin() as gone:
        url = gone.url
    client = ProlificClient("t", url, attempts=2, sleep=lambda _: None, timeout=2)
    with pytest.raises(PlatformError, match=r"cannot reach Prolific at .* after 2 attempts"):
        ProlificPlatform(client).submissions("abc")


def test_unknown_platform_lists_the_choices() -> None:
    with pytest.raises(ValueError) as err:
        get_platform("mturk")
    assert str(err.value) == (
        "unknown recruitment platform 'mturk'; choose one of: link, prolific, simulated"
    )
