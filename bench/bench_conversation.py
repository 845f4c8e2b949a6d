"""Survey benchmark with a conversation arm: N simulated participants take the survey over
loopback HTTP (consent, 2 x before/item/after, checks, debrief) on one study with a static and
a conversation arm of one model, once with only static items and once with only conversation
items. The model's replies come from the Anthropic stand-in (tests/support) with a fixed
latency, through the real SDK and the spending ledger.

Prints sessions/s and p50/p99 page time of each arm (the conversation arm beside the static
one, as a ratio), lost answers (acknowledged ratings not stored), lost turns (a participant
message stored with no reply, or a reply billed and not stored) and replies paid twice:

    python -m bench conversation --participants 24 --concurrency 6 --latency 0.2
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from sqlalchemy import select

from bench.bench_survey import Figures, serve_and_load
from study.store import ConversationRow, ConversationTurnRow, open_store
from tests.conversations.conftest import chat_study_text, field_chat_study
from tests.support.anthropic_api import paid_twice
from tests.support.anthropic_standin import Behaviour, StandIn

MODEL = "anthropic/claude-haiku-4-5"
GENERATION = (
    "\n[generation]\nrequests_per_minute = 600000\nmax_in_flight = 64\n"
    "\n[arguments]\nbudget_usd = 100000\n"  # every slot at 100 ratings, at its worst case
)


def arm(work: Path, name: str, conversation: bool, args: argparse.Namespace, env: dict[str, str]
        ) -> Figures:  # fmt: skip
    """Seed one study whose items are all of one format and load it."""
    db_url = f"sqlite:///{work / (name + '.db')}"
    text = chat_study_text(name, MODEL, GENERATION).replace(
        "per_argument = 1", "per_argument = 100"
    )
    with open_store(db_url) as store:
        if conversation:
            field_chat_study(store, text, topics=2, essays=0)
        else:
            field_chat_study(store, text, topics=0, essays=4)
    label = "conversation arm" if conversation else "static arm"
    return serve_and_load(
        db_url, name, args.participants, args.concurrency, work, name=label, env=env
    )


def lost_turns(db_url: str) -> tuple[int, int, int]:
    """(conversations, participant messages with no stored reply, stored replies)."""
    with open_store(db_url, create=False) as store, store.snapshot() as session:
        talks = session.scalars(select(ConversationRow)).all()
        turns = session.scalars(select(ConversationTurnRow)).all()
    asked = {(t.conversation_id, t.turn) for t in turns if t.role != "model"}
    answered = {(t.conversation_id, t.turn) for t in turns if t.role == "model"}
    return len(talks), len(asked - answered), len(answered)


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench conversation", description=__doc__)
    parser.add_argument("--participants", type=int, default=24)
    parser.add_argument("--concurrency", type=int, default=6)
    parser.add_argument("--latency", type=float, default=0.2, help="Stand-in reply latency (s).")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse(argv)
    with (
        tempfile.TemporaryDirectory(prefix="bench-conversation-") as tmp,
        StandIn(Behaviour(latency=args.latency, words=40)) as api,
    ):
        work = Path(tmp)
        env = {"ANTHROPIC_BASE_URL": api.url, "ANTHROPIC_API_KEY": "sk-bench"}
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)  # the seeding's estimate goes to the stand-in too
        try:
            static = arm(work, "static-arm", False, args, env)
            chat = arm(work, "chat-arm", True, args, env)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        talks, unanswered, replies = lost_turns(f"sqlite:///{work / 'chat-arm.db'}")
        billed, twice = len(api.stats.billed), paid_twice(list(api.stats.billed))
    print(
        f"survey benchmark, conversation arm: {args.participants} participants, "
        f"{args.concurrency} concurrent, 2 items each, replies from a stand-in at "
        f"{args.latency * 1000:.0f} ms"
    )
    print(f"{'':20} {'sessions/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'lost':>5} {'completed':>9}")
    for f in (static, chat):
        print(
            f"{f.name:20} {f.per_second:10.2f} {f.pct(0.5):8.1f} {f.pct(0.99):8.1f} "
            f"{f.lost:5d} {f.sessions:9d}"
        )
    print(
        f"{'ratio chat/static':20} {chat.per_second / static.per_second:9.2f}x "
        f"{chat.pct(0.5) / static.pct(0.5):7.2f}x {chat.pct(0.99) / static.pct(0.99):7.2f}x"
    )
    lost = unanswered + abs(billed - replies)
    print(
        f"conversations {talks}, replies stored {replies}, billed {billed}, "
        f"lost turns {lost}, paid twice {twice}"
    )
    complete = all(f.sessions == args.participants and f.lost == 0 for f in (static, chat))
    return 0 if complete and lost == 0 and twice == 0 else 1
