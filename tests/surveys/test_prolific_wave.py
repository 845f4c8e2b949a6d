"""Acceptance: a whole wave against a Prolific stand-in that behaves as documented (non-idempotent
create under a 502, root-relative next links, automatic pause and completion, STOP refused on a
completed study, pay calls that pay again): one study created, every submission reviewed
across several pages, a failed participant rejected with category and message, an abandoned
one asked to return, the automatic pause resumed, the wave closed after the study completed by
itself, bonuses paid once, and no raw participant id in the store."""

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from fieldwork import open_fieldwork, sync_fieldwork
from fieldwork.payments import owed_bonuses, pay_bonuses
from fieldwork.platforms.prolific import ProlificClient, ProlificPlatform
from study.store import EventRow, ParticipantRow, SessionRow, Store, WaveRow
from tests.support.field_data import add_session, argument_ids, session_row, tiny_study
from tests.support.prolific_standin import prolific_standin


@pytest.mark.parametrize("links", ["root", "none"])
def test_a_whole_wave_on_a_documented_prolific(store: Store, tmp_path: Path, links: str) -> None:
    """`links`: pages with root-relative next links, or pages by limit/offset without links."""
    loaded = tiny_study(store, tmp_path)
    args = argument_ids(store, loaded.study_id)
    first, second = args[:2], args[2:]
    with prolific_standin(token="sekret", page_size=2, links=links) as standin:  # type: ignore[arg-type]
        platform = ProlificPlatform(ProlificClient("sekret", standin.url, sleep=lambda _: None))
        standin.fail_next(502, path="/studies/$", method="POST", after=True)
        status = open_fieldwork(store, loaded, platform)
        ref = status.platform_ref
        assert list(standin.state.studies) == [ref]  # one study despite the 502
        with store.session() as session:
            wave_id = session.scalars(select(WaveRow.id)).one()

        def arrive(items: list[int], **kw: object) -> tuple[str, int]:
            status = str(kw.pop("platform_status", "AWAITING REVIEW"))
            sub = standin.add_submission(ref, status=status)
            return sub, add_session(
                store,
                loaded.study_id,
                wave_id,
                items,
                platform_session=sub,
                **kw,  # type: ignore[arg-type]
            )

        p1, p2 = arrive(first), arrive(second)
        p3 = arrive(first, failed_checks=2)
        p4 = arrive(second, status="active")  # left the survey without finishing
        assert standin.study(ref)["status"] == "AWAITING REVIEW"  # every place taken

        first_sync = sync_fieldwork(store, loaded, platform)
        assert first_sync.problems == ()
        (reject,) = standin.calls("POST", f"/submissions/{p3[0]}/transition/")
        assert reject.body["rejection_category"] == "FAILED_CHECK"
        assert len(reject.body["message"]) >= 100
        assert standin.submission(p4[0])["return_requested"]
        # the rejection paused the full study; the sync added the place and started it again
        starts = [c.body for c in standin.calls("POST", f"/studies/{ref}/transition/")]
        assert starts[-1] == {"action": "START"}
        assert standin.study(ref)["status"] == "ACTIVE"
        assert standin.study(ref)["total_available_places"] == 5

        standin.set_status(p4[0], "RETURNED")
        late = arrive(second, platform_status="TIMED-OUT")  # finished after Prolific's limit
        p5, p6, p7 = arrive(first), arrive(second), arrive(first)
        final = sync_fieldwork(store, loaded, platform)
        assert (final.status, final.arguments_done, final.problems) == ("closed", 4, ())
        assert standin.study(ref)["status"] == "COMPLETED"  # by itself: 5 of 5 approved
        assert [c.body for c in standin.calls("POST", f"/studies/{ref}/transition/")][-1] == {
            "action": "START"
        }  # no STOP was sent to the completed study
        pages = [c.path for c in standin.calls("GET", "/submissions/")]
        assert sum(("?page=" in p) or ("offset=" in p) for p in pages) >= 3  # every page read
        reviews = {
            name: session_row(store, sid)[1:]
            for name, (_, sid) in {
                "p1": p1,
                "p2": p2,
                "p3": p3,
                "p4": p4,
                "p5": p5,
                "p6": p6,
                "p7": p7,
                "late": late,
            }.items()
        }
        assert reviews == {
            "p1": ("approved", ""),
            "p2": ("approved", ""),
            "p3": ("rejected", "failed_attention_checks"),
            "p4": ("returned", "returned"),
            "p5": ("approved", ""),
            "p6": ("approved", ""),
            "p7": ("approved", ""),
            "late": ("timed_out", ""),
        }

        for _ in range(2):
            pay_bonuses(store, loaded, platform, owed_bonuses(store, loaded))
        assert [(s, a) for s, _, a in standin.state.paid] == [(late[0], 250)]  # once

        participants = [s["participant_id"] for s in standin.state.submissions.values()]
    with store.session() as session:
        stored = json.dumps([e.payload for e in session.scalars(select(EventRow))])
        stored += " ".join(session.scalars(select(SessionRow.platform_session)))
        stored += " ".join(session.scalars(select(ParticipantRow.platform_id_hash)))
    assert not [p for p in participants if p in stored]
