"""Sessions on both backends: simultaneous submissions of one page store exactly one answer."""

from __future__ import annotations

import threading

from sqlalchemy import select

from study.store import RatingRow, Store
from surveys import sessions
from surveys.pages import FormError
from tests.surveys.conftest import KEY, field_study


def test_simultaneous_double_submit_stores_one_before_rating(any_store: Store) -> None:
    field_study(any_store)
    started = sessions.start(any_store, "survey-test", "double", KEY)
    view = sessions.load_view(any_store, started.token)
    sessions.submit(any_store, view, 0, {})  # consent
    view = sessions.load_view(any_store, started.token)
    assert view.step.kind == "before"
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def click(rating: int) -> None:
        barrier.wait()
        try:
            sessions.submit(any_store, view, view.step_index, {"rating": rating})
            outcomes.append(f"saved {rating}")
        except FormError as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=click, args=(r,)) for r in (1, 3, 5, 7)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    saved = [o for o in outcomes if o.startswith("saved")]
    assert len(saved) == 1 and sorted(set(outcomes) - set(saved)) == ["stale_page"]
    with any_store.session() as session:
        ratings = session.scalars(select(RatingRow)).all()
    assert [f"saved {r.before}" for r in ratings] == saved
