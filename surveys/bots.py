"""Simulated participants that take the real survey over HTTP (the `simulated` platform).

A bot walks the app like a browser: it reads each page's form (page kind, step, CSRF token,
choices, remaining reading time), answers with the study's response model
(surveys/simulated.py: before from the participant's latent support, after shifted by the
writer's true effect), waits out the reading time and submits. With `probe=True` it first
tries bad input on each kind of page and checks that the app refuses it (like oTree's
`SubmissionMustFail`). Bots survive a server restart: on a connection error they retry with
a bounded back-off and continue from the page the server says they are on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser

import httpx
import numpy as np

from study.store import (
    Store,
)
from surveys.bot_oracle import Oracle, Response, responses_for
from surveys.pages import check_by_key
from surveys.simulated import (
    ATTENTION_FAIL_RATE,
    participant_message,
    planned_turns,
)

MAX_REQUESTS = 400
RETRIES = 240
RETRY_SLEEP = 0.25


class BotError(AssertionError):
    """The app accepted input it must refuse, or a bot could not finish."""


@dataclass(frozen=True)
class Page:
    status: int
    kind: str
    item: int = 0
    step: str = ""
    csrf: str = ""
    choices: tuple[str, ...] = ()
    wait_ms: int = 0
    code: str = ""
    error: str = ""
    check: str = ""
    turns: int = 0
    pending: int = 0
    chat_status: str = ""
    can_post: bool = False


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.attrs: dict[str, str] = {}
        self.choices: list[str] = []
        self._in_code = False
        self.code = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "main":
            self.attrs["kind"] = a.get("data-page", "")
            self.attrs["item"] = a.get("data-item", "0")
        elif tag == "input" and a.get("name") in ("step", "csrf"):
            self.attrs[a["name"]] = a.get("value", "")
        elif tag == "input" and a.get("type") == "radio":
            self.choices.append(a.get("value", ""))
        elif tag == "form" and "data-wait-ms" in a:
            self.attrs["wait"] = a["data-wait-ms"]
        elif tag == "fieldset" and "data-check" in a:
            self.attrs["check"] = a["data-check"]
        elif tag == "p" and "data-code" in a:
            self.attrs["error"] = a["data-code"]
        elif tag == "ol" and a.get("id") == "chat":
            self.attrs["turns"] = a.get("data-turns", "0")
            self.attrs["pending"] = a.get("data-pending", "0")
            self.attrs["chat_status"] = a.get("data-status", "")
        elif tag == "form" and a.get("id") == "chat-form":
            self.attrs["can_post"] = "1"
        self._in_code = a.get("id") == "completion-code"

    def handle_data(self, data: str) -> None:
        if self._in_code:
            self.code += data.strip()


def parse_page(response: httpx.Response) -> Page:
    """What a bot needs from a page of the app."""
    reader = _Reader()
    reader.feed(response.text)
    a = reader.attrs
    return Page(
        response.status_code,
        a.get("kind", ""),
        int(a.get("item") or 0),
        a.get("step", ""),
        a.get("csrf", ""),
        tuple(reader.choices),
        int(a.get("wait") or 0),
        reader.code,
        a.get("error", ""),
        a.get("check", ""),
        int(a.get("turns") or 0),
        int(a.get("pending") or 0),
        a.get("chat_status", ""),
        bool(a.get("can_post")),
    )


@dataclass
class BotResult:
    platform_id: str
    completed: bool = False
    code: str = ""
    answers: dict[int, tuple[int, int]] = field(default_factory=dict)
    full: bool = False
    refused: int = 0
    retries: int = 0
    latencies: list[float] = field(default_factory=list)


class StudyFull(Exception):
    """The bot's places went to others before it consented, and none are left."""


class Bot:
    """One simulated participant on its own HTTP client (its own cookie jar)."""

    def __init__(
        self, client: httpx.Client, oracle: Oracle, platform_id: str, seed: int, probe: bool
    ) -> None:
        self.client, self.oracle, self.pid = client, oracle, platform_id
        self.rng = np.random.default_rng(seed)
        self.seed, self.probe = seed, probe
        self.result = BotResult(platform_id)
        self.plan: list[Response] = []
        self.turns: dict[int, int] = {}
        self.planned: dict[int, int] = {}
        self.probed: set[str] = set()

    def request(self, method: str, url: str, data: dict[str, str] | None = None) -> httpx.Response:
        for _ in range(RETRIES):
            started = time.perf_counter()
            try:
                response = self.client.request(method, url, data=data)
            except httpx.TransportError:
                self.result.retries += 1
                time.sleep(RETRY_SLEEP)
                if method == "POST":  # the answer may or may not be stored: ask the server
                    return self.request("GET", "/survey")
                continue
            self.result.latencies.append(time.perf_counter() - started)
            return response
        raise BotError(f"bot {self.pid}: the server did not answer after {RETRIES} tries")

    def run(self, study_name: str) -> BotResult:
        start = self.request("GET", f"/start/{study_name}?PROLIFIC_PID={self.pid}&SESSION_ID=s")
        if start.status_code == 403 and parse_page(start).error == "closed":
            self.result.full = True  # every place is taken: not needed
            return self.result
        if start.status_code != 303:
            raise BotError(f"bot {self.pid}: start returned {start.status_code}")
        try:
            return self._walk()
        except StudyFull:
            self.result.full = True
            return self.result

    def _walk(self) -> BotResult:
        for _ in range(MAX_REQUESTS):
            page = parse_page(self.request("GET", "/survey"))
            if page.kind == "done":
                self.result.completed, self.result.code = True, page.code
                return self.result
            if page.status != 200:
                raise BotError(f"bot {self.pid}: page error {page.status} {page.error}")
            if self.probe and page.kind not in self.probed:
                self.probed.add(page.kind)
                self.try_bad(page)
            self.answer(page)
        raise BotError(f"bot {self.pid}: no completion after {MAX_REQUESTS} pages")

    def answer(self, page: Page) -> None:
        data = {"step": page.step, "csrf": page.csrf}
        if page.kind in ("before", "after"):
            if not self.plan:
                items = self.oracle.items(self.pid)
                self.plan = responses_for(self.oracle.study, items, self.seed)
            truth = self.plan[page.item - 1]
            turns = self.turns.get(page.item - 1)
            before, after = truth.before, truth.after(self.oracle.study, turns)
            data["rating"] = str(before if page.kind == "before" else after)
            self.result.answers[page.item - 1] = (before, after)
        elif page.kind == "chat":
            if not self.converse(page):
                return
            data.update(focus_losses="0", pastes="0")
        elif page.kind == "argument":
            time.sleep(page.wait_ms / 1000 + 0.05)
            data.update(focus_losses="0", pastes="0")
        elif page.kind == "attention":
            data["choice"] = self._attention_choice(page)
        response = self.request("POST", "/survey", data)
        if response.status_code == 409 or response.request.method == "GET":
            return  # a retried POST whose first try was saved: go on from the current page
        if response.status_code == 400 and parse_page(response).error == "too_fast":
            return  # the clock said not yet; the next GET shows the remaining time
        closed = response.status_code == 403 and parse_page(response).error == "closed"
        if page.kind == "consent" and closed:  # freed before consenting, and now full
            raise StudyFull(self.pid)
        if response.status_code != 303:
            raise BotError(f"bot {self.pid}: answer on {page.kind} got {response.status_code}")

    def converse(self, page: Page) -> bool:
        """One move on a chat page: ask for an awaited reply, send the next message, or (once
        the planned turns are held or the conversation ended) go on: returns True then."""
        base = {"step": page.step, "csrf": page.csrf}
        item = page.item - 1
        if page.pending:
            self.request("POST", "/survey/chat/reply", base)
            return False
        planned = self.planned.setdefault(item, self.planned_turns(item))
        self.turns[item] = page.turns
        if page.can_post and page.turns < planned:
            text = participant_message(self.rng, page.turns + 1, f"{self.seed}.{page.item}.")
            signals = {"pastes": "0", "keystrokes": str(len(text)), "typing_ms": "4000"}
            response = self.request("POST", "/survey/chat", {**base, "message": text, **signals})
            if response.status_code not in (303, 409) and response.request.method == "POST":
                raise BotError(f"bot {self.pid}: chat message got {response.status_code}")
            return False
        return True

    def planned_turns(self, item: int) -> int:
        if not self.plan:
            self.plan = responses_for(self.oracle.study, self.oracle.items(self.pid), self.seed)
        return planned_turns(self.oracle.study, self.plan[item].writer, self.rng)

    def _attention_choice(self, page: Page) -> str:
        correct = check_by_key(self.oracle.study, page.check).answer
        if self.rng.random() >= ATTENTION_FAIL_RATE:
            return correct
        return next(c for c in page.choices if c != correct)

    def try_bad(self, page: Page) -> None:
        """Submissions that must fail on this page."""
        base = {"step": page.step, "csrf": page.csrf}
        if page.kind == "argument" and page.wait_ms > 200:  # first: before the clock runs out
            deadline = time.perf_counter() + page.wait_ms / 1000
            early = self.request("POST", "/survey", {**base, "focus_losses": "0"})
            if early.status_code < 400 and time.perf_counter() < deadline:
                raise BotError(f"bot {self.pid}: argument accepted an answer before its time")
            self.result.refused += early.status_code >= 400
        bad: list[dict[str, str]] = [{"step": page.step}, {**base, "csrf": "0" * 64}]
        if page.kind in ("before", "after"):
            bad += [{**base, "rating": v} for v in ("8", "0", "4.5", "abc", "-1", "")]
            bad.append({**base, "rating": "4", "before": "1"})
        if page.kind == "after":
            bad.append({**base, "step": str(int(page.step) - 2), "rating": "1"})
        if page.kind == "attention":
            bad.append({**base, "choice": "not a choice"})
        for data in bad:
            response = self.request("POST", "/survey", data)
            if response.status_code < 400:
                raise BotError(f"bot {self.pid}: {page.kind} accepted bad input {data}")
            self.result.refused += 1


def run_bots(
    make_client: Callable[[], httpx.Client],
    oracle: Oracle,
    n: int,
    concurrency: int = 8,
    seed: int = 0,
    probe_every: int = 0,
    prefix: str = "bot",
) -> list[BotResult]:
    """Run n bots, `concurrency` at a time; every `probe_every`-th bot also tries bad input.
    Raises BotError if any bot fails; bots that find the study full return `full=True`."""

    def one(i: int) -> BotResult:
        with make_client() as client:
            probe = probe_every > 0 and i % probe_every == 0
            return Bot(client, oracle, f"{prefix}-{seed}-{i}", seed * 100_003 + i, probe).run(
                oracle.study.name
            )

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        return list(pool.map(one, range(n)))


def run_panel_over_http(
    store: Store,
    study_name: str,
    key: bytes,
    n: int,
    concurrency: int = 8,
    seed: int = 0,
    probe_every: int = 10,
) -> list[BotResult]:
    """The `simulated` platform's panel: serve the app on loopback and let n bots take it."""
    from surveys.app import AppSettings
    from surveys.serve import serve_in_thread

    oracle = Oracle(store, study_name, key)
    settings = AppSettings(key=key, starts_per_minute=max(60, 10 * n))
    with serve_in_thread(store, settings) as base:
        return run_bots(
            lambda: httpx.Client(base_url=base, timeout=60),
            oracle,
            n,
            concurrency,
            seed,
            probe_every,
            prefix=f"sim-{study_name}",
        )
