"""The Prolific client against a loopback stand-in of its API (no network)."""

from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest

from fieldwork.platforms import PlatformError, PublishRequest, Submission, get_platform
from fieldwork.platforms.prolific import ProlificClient, ProlificPlatform, study_body
from study import filter_payload
from study.config import Recruitment
from study.config_recruitment import CustomFilter, Filters, RangeFilter
from tests.support.prolific_standin import ProlificStandin, prolific_standin

REQUEST = PublishRequest(
    name="Opinions",
    internal_name="s wave 1",
    description="Read and rate.",
    survey_url="https://survey.example.org/s/abc",
    places=4,
    reward=250,
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
    lookup, create, publish = standin.requests
    assert (lookup.method, lookup.path) == ("GET", "/api/v1/studies/")  # is it there already?
    assert (create.method, create.path) == ("POST", "/api/v1/studies/")
    assert create.headers["Authorization"] == "Token sekret"
    assert create.body["external_study_url"].endswith("SESSION_ID={{%SESSION_ID%}}")
    assert (publish.path, publish.body) == (
        f"/api/v1/studies/{ref}/transition/",
        {"action": "PUBLISH"},
    )
    assert standin.state.studies[ref]["status"] == "ACTIVE"


@pytest.mark.parametrize("links", ["absolute", "root", "relative"])
def test_submissions_follow_next_links_absolute_or_relative(links: str) -> None:
    with prolific_standin(token="sekret", page_size=2, links=links) as standin:  # type: ignore[arg-type]
        platform = platform_for(standin)
        ref = platform.create(replace(REQUEST, places=6))
        platform.publish(ref)
        ids = [standin.add_submission(ref) for _ in range(5)]
        standin.add_submission("another-study")
        subs = platform.submissions(ref)
        assert [s.id for s in subs] == ids
        pages = standin.calls("GET", "/submissions/")
        assert [p.path.split("/submissions/")[1] for p in pages] == ["", "?page=2", "?page=3"]


def test_submissions_are_paged_by_limit_and_offset_when_pages_carry_no_link() -> None:
    with prolific_standin(token="sekret", page_size=2, links="none") as standin:
        platform = platform_for(standin)
        ref = platform.create(replace(REQUEST, places=6))
        platform.publish(ref)
        ids = [standin.add_submission(ref) for _ in range(5)]
        assert [s.id for s in platform.submissions(ref)] == ids
        pages = [p.path.split("/submissions/")[1] for p in standin.calls("GET", "/submissions/")]
        assert pages == ["", "?offset=2&limit=2", "?offset=4&limit=2"]


def test_a_list_that_repeats_a_page_stops_with_an_error() -> None:
    pages = iter([[{"id": "a"}, {"id": "b"}], [{"id": "a"}, {"id": "b"}]])

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"results": next(pages), "meta": {"count": 9}})

    client = ProlificClient("t", "https://api.prolific.com", transport=httpx.MockTransport(handler))
    with pytest.raises(PlatformError, match="a page of items already seen"):
        list(client.pages("studies/x/submissions/", "list the submissions"))


def test_the_filters_the_study_file_declares_are_ones_prolific_knows(
    standin: ProlificStandin,
) -> None:
    platform = platform_for(standin)
    earlier = platform.create(replace(REQUEST, internal_name="s wave 0"))
    filters = Filters(
        countries=("1",),
        languages=("19",),
        min_approval_rate=95,
        allow_participants=("5f1a",),
        block_participants=("5f1b",),
        custom=(CustomFilter(filter_id="age", selected_range=RangeFilter(lower=18, upper=65)),),
    )
    payload = tuple(filter_payload(filters, (earlier,)))
    ref = platform.create(replace(REQUEST, filters=payload))
    pages = platform.client.pages("filters/", "list the filters")
    known = {f["filter_id"] for page in pages for f in page["results"]}
    assert {f["filter_id"] for f in standin.study(ref)["filters"]} <= known
    assert len(payload) == 7


@pytest.mark.parametrize(
    ("bad", "detail"),
    [
        ({"filter_id": "country", "selected_values": ["1"]}, "unknown filter_id 'country'"),
        (
            {"filter_id": "approval_rate", "selected_values": ["95"]},
            "approval_rate is a range filter",
        ),
        (
            {"filter_id": "fluent-languages", "selected_values": ["English"]},
            "fluent-languages has no choice(s) ['English']",
        ),
        (
            {"filter_id": "previous_studies_blocklist", "selected_values": ["nope"]},
            "previous_studies_blocklist has no choice(s) ['nope']",
        ),
    ],
)
def test_the_standin_refuses_filters_prolific_does_not_have(
    standin: ProlificStandin, bad: dict[str, object], detail: str
) -> None:
    platform = platform_for(standin)
    with pytest.raises(PlatformError) as err:
        platform.create(replace(REQUEST, filters=(bad,)))
    assert detail in str(err.value)
    assert standin.state.studies == {}


def test_a_next_link_to_another_host_is_refused() -> None:
    client = ProlificClient("t", "https://api.prolific.com")
    assert client.url("/api/v1/x/?page=2", "https://api.prolific.com/api/v1/x/") == (
        "https://api.prolific.com/api/v1/x/?page=2"
    )
    with pytest.raises(PlatformError, match=r"outside its API: https://evil\.example/x"):
        client.url("https://evil.example/x")


def test_create_sends_the_required_filters_and_the_time_limit(standin: ProlificStandin) -> None:
    platform = platform_for(standin)
    filters = ({"filter_id": "approval_rate", "selected_range": {"lower": 95, "upper": 100}},)
    ref = platform.create(replace(REQUEST, filters=filters, maximum_allowed_minutes=45))
    study = standin.study(ref)
    assert study["filters"] == [dict(filters[0])]
    assert (study["maximum_allowed_time"], study["reward"]) == (45, 250)


def test_the_standin_refuses_a_study_without_filters(standin: ProlificStandin) -> None:
    client = ProlificClient("sekret", standin.url)
    body = study_body(REQUEST)
    del body["filters"]
    with pytest.raises(PlatformError, match=r"'filters': \['This field is required.'\]"):
        client.request("POST", "studies/", "create the study", body)


def test_create_is_never_repeated_after_a_502_that_created_the_study(
    standin: ProlificStandin,
) -> None:
    platform = ProlificPlatform(ProlificClient("sekret", standin.url, sleep=lambda _: None))
    standin.fail_next(502, path="/studies/$", after=True, method="POST")  # created, but we hear 502
    ref = platform.create(REQUEST)
    assert list(standin.state.studies) == [ref]
    assert len(standin.calls("POST", "/studies/$")) == 1
    assert platform.create(REQUEST) == ref  # a second open finds it by its internal name
    assert len(standin.calls("POST", "/studies/$")) == 1


def test_create_that_failed_before_creating_says_to_run_again(standin: ProlificStandin) -> None:
    platform = ProlificPlatform(ProlificClient("sekret", standin.url, sleep=lambda _: None))
    standin.fail_next(502, path="/studies/$", method="POST")
    with pytest.raises(PlatformError) as err:
        platform.create(REQUEST)
    assert str(err.value) == (
        "Prolific refused to create the study (HTTP 502): the stand-in was told to fail; no "
        "study named 's wave 1' exists on Prolific, so it was not created: run the command again"
    )
    assert standin.state.studies == {}
    assert len(standin.calls("POST", "/studies/$")) == 1


def test_a_full_study_that_loses_a_submission_is_paused_and_resumed(
    standin: ProlificStandin,
) -> None:
    platform = platform_for(standin)
    ref = platform.create(replace(REQUEST, places=2))
    platform.publish(ref)
    a, b = standin.add_submission(ref), standin.add_submission(ref)
    assert platform.state(ref).status == "AWAITING REVIEW"
    subs = {s.id: s for s in platform.submissions(ref)}
    platform.reject(subs[a], "m" * 120, "FAILED_CHECK")
    assert platform.state(ref).paused
    platform.resume(ref)
    assert platform.state(ref).status == "ACTIVE"
    c = standin.add_submission(ref)
    platform.approve_many([s for s in platform.submissions(ref) if s.id in (b, c)])
    assert platform.state(ref).status == "COMPLETED"
    platform.close(ref)  # nothing to stop: Prolific refuses STOP on a completed study
    assert standin.calls("POST", f"/studies/{ref}/transition/")[-1].body == {"action": "START"}
    (bulk,) = standin.calls("POST", "/submissions/bulk-approve/")
    assert sorted(bulk.body["submission_ids"]) == sorted([b, c])


def test_stop_on_a_completed_study_is_refused_by_the_standin(standin: ProlificStandin) -> None:
    platform = platform_for(standin)
    ref = platform.create(replace(REQUEST, places=1))
    platform.publish(ref)
    standin.add_submission(ref)
    platform.approve_many(platform.submissions(ref))
    with pytest.raises(PlatformError, match="cannot STOP a COMPLETED study"):
        platform.client.request("POST", f"studies/{ref}/transition/", "stop", {"action": "STOP"})


def test_bonuses_are_set_up_then_paid_and_paying_twice_pays_twice(
    standin: ProlificStandin,
) -> None:
    platform = platform_for(standin)
    ref = platform.create(REQUEST)
    platform.publish(ref)
    sid = standin.add_submission(ref)
    payment = platform.create_bonuses(ref, [(sid, 150)])
    assert standin.state.paid == []
    platform.pay_bonuses(payment)
    assert [(s, a) for s, _, a in standin.state.paid] == [(sid, 150)]
    platform.pay_bonuses(payment)  # Prolific's pay call is not idempotent
    assert len(standin.state.paid) == 2
    with pytest.raises(PlatformError, match="Invalid lines"):
        platform.create_bonuses(ref, [("not-in-study", 100)])


def test_paying_is_never_retried_after_a_5xx(standin: ProlificStandin) -> None:
    platform = ProlificPlatform(ProlificClient("sekret", standin.url, sleep=lambda _: None))
    ref = platform.create(REQUEST)
    platform.publish(ref)
    payment = platform.create_bonuses(ref, [(standin.add_submission(ref), 100)])
    standin.fail_next(503, path="/pay/", after=True)
    with pytest.raises(PlatformError, match=r"HTTP 503"):
        platform.pay_bonuses(payment)
    assert len(standin.calls("POST", "/pay/")) == 1
    assert len(standin.state.paid) == 1


def test_approve_reject_and_return_reach_the_api(standin: ProlificStandin) -> None:
    platform = platform_for(standin)
    ref = platform.create(REQUEST)
    platform.publish(ref)
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
    platform.publish(ref)
    sid = standin.add_submission(ref, status="TIMED-OUT")
    (sub,) = platform.submissions(ref)
    with pytest.raises(ValueError, match="its status is 'timed_out'"):
        platform.approve(sub)
    assert standin.calls("POST", "/submissions/") == []
    assert standin.submission(sid)["status"] == "TIMED-OUT"


def test_api_refusal_becomes_one_clear_error(standin: ProlificStandin) -> None:
    platform = platform_for(standin)
    ref = platform.create(REQUEST)
    platform.publish(ref)
    sid = standin.add_submission(ref)
    standin.set_status(sid, "RETURNED")
    stale = Submission(sid, "p", "awaiting_review")  # our view is stale; Prolific says no
    with pytest.raises(PlatformError) as err:
        platform.approve(stale)
    assert str(err.value) == (
        f"Prolific refused to approve submission {sid} (HTTP 400): cannot APPROVE a "
        "RETURNED submission"
    )


def test_wrong_token_names_the_fix(standin: ProlificStandin) -> None:
    with pytest.raises(PlatformError) as err:
        platform_for(standin, token="wrong").create(REQUEST)
    assert str(err.value).startswith(
        "Prolific refused to list the workspace's studies (HTTP 401): Invalid token.; check the "
        "API token"
    )


def test_missing_token_names_the_variable() -> None:
    with pytest.raises(PlatformError) as err:
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


def test_an_auto_approving_completion_code_needs_no_approval_call(
    standin: ProlificStandin,
) -> None:
    platform = platform_for(standin)
    ref = platform.create(replace(REQUEST, auto_approve=True))
    platform.publish(ref)
    done = standin.add_submission(ref, study_code="C1234567")
    failed = standin.add_submission(ref, study_code="CFAILED1")
    statuses = {s.id: s.status for s in platform.submissions(ref)}
    assert statuses == {done: "approved", failed: "awaiting_review"}
