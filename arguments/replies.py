"""Conversation replies: the model's answer to one participant message, written once.

Every reply has a request key per (session, item, turn) (`reply_store.reply_key`). A reply
goes through the one provider wrapper (arguments.dispatch: rate limit, retries with backoff on
429, 529, 5xx and timeouts) and each attempt through the spending ledger (written `sent` with
its worst case before it leaves; `answered` in the same transaction as the transcript turn).
So a reload, a second tab or a server killed mid-reply asks again for the same key, and the
store answers with the stored reply when there is one: a reply is never paid twice once
stored. An attempt whose outcome is unknown (the process died while it was in flight, a
timeout) stays `sent` and counts at its worst case, as for generation.

When the attempts run out (or the provider refuses the request, or the budget would be
passed) the conversation is ended as `failed`: the participant is told politely and goes on to
the after-rating; the item is excluded (`conversation_failed` in study.exclusions)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from arguments import reply_store as rs
from arguments.dispatch import Dispatcher
from arguments.errors import GenerationError
from arguments.providers import get_provider
from arguments.registry import FREE_PROVIDERS
from arguments.types import (
    Completion,
    GenerationRequest,
    ModelProvider,
    ProviderConfig,
    ProviderError,
)
from study import Study
from study.store import Store, utcnow

POLL_SECONDS = 0.25


@dataclass(frozen=True)
class Reply:
    """The outcome of asking for one reply: `answered` (its text) or `failed` (why)."""

    turn: int
    status: str
    text: str = ""
    reason: str = ""


def request_for(talk: rs.Talk) -> GenerationRequest:
    """The provider request of a reply (pure)."""
    params = {
        "claim": talk.claim,
        "claim_key": talk.claim_key,
        "writer": talk.writer.id,
        "strategy": talk.strategy,
        "turn": talk.turn,
        "format": "conversation",
    }
    return GenerationRequest(
        talk.key,
        talk.writer.model,
        talk.system,
        talk.history[-1][1],
        talk.max_tokens,
        params,
        talk.history,
    )


@dataclass
class Replier:
    """Writes replies for one store; one per process (the survey app, the inline panel).
    Providers and dispatchers are made on first use, one per model and per study."""

    store: Store
    dispatcher_for: Callable[[Study], Dispatcher]
    run: str = field(default_factory=rs.process_run)
    providers: dict[str, ModelProvider] = field(default_factory=dict)
    dispatchers: dict[str, Dispatcher] = field(default_factory=dict)
    locks: dict[int, asyncio.Lock] = field(default_factory=dict)

    @classmethod
    def create(cls, store: Store) -> Replier:
        """A replier whose dispatchers follow each study's [generation] limits."""
        from arguments.generate import study_limits

        return cls(store, lambda study: Dispatcher.create(study_limits(study), study.study.seed))

    def provider(self, talk: rs.Talk) -> ModelProvider:
        spec = talk.writer.model
        if spec not in self.providers:
            config = ProviderConfig(talk.study.generation.timeout_seconds, talk.writer.replay_file)
            self.providers[spec] = get_provider(spec, config)
        return self.providers[spec]

    def dispatcher(self, study: Study) -> Dispatcher:
        if study.name not in self.dispatchers:
            self.dispatchers[study.name] = self.dispatcher_for(study)
        return self.dispatchers[study.name]

    async def aclose(self) -> None:
        for provider in self.providers.values():
            await provider.aclose()
        self.providers.clear()

    async def reply(self, conversation_id: int, turn: int) -> Reply:
        """The reply to turn `turn`: the stored one, else written now (once)."""
        lock = self.locks.setdefault(conversation_id, asyncio.Lock())
        async with lock:
            found = await asyncio.to_thread(self._load, conversation_id, turn)
            if isinstance(found, rs.Stored):
                return Reply(turn, "answered", found.text)
            if isinstance(found, rs.Closed):
                return Reply(turn, "failed", reason=found.reason)
            try:
                return await self._write(found)
            except (ProviderError, GenerationError) as exc:
                reason = f"provider: {exc}"
                await asyncio.to_thread(rs.fail_conversation, self.store, conversation_id, reason)
                return Reply(turn, "failed", reason=reason)

    def _load(self, conversation_id: int, turn: int) -> rs.Talk | rs.Stored | rs.Closed:
        with self.store.session() as session:
            return rs.load_talk(session, conversation_id, turn)

    async def _write(self, talk: rs.Talk) -> Reply:
        if talk.max_tokens < rs.MIN_REPLY_TOKENS:
            raise GenerationError("the conversation's token bound is used up")
        provider = self.provider(talk)
        request = request_for(talk)
        free = provider.name in FREE_PROVIDERS
        stored: list[str] = []

        async def once() -> Completion | None:
            attempt = None if free else await self._claim(talk, stored)
            if stored:
                return None
            started, clock = utcnow(), time.perf_counter()
            try:
                completion = await provider.generate(request)
            except ProviderError as exc:
                if attempt is not None:
                    unknown = exc.maybe_billed
                    await asyncio.to_thread(
                        rs.record_failure, self.store, attempt, str(exc), unknown=unknown
                    )
                raise
            latency = int((time.perf_counter() - clock) * 1000)
            await asyncio.to_thread(self._record, talk, attempt, completion, latency, started)
            return completion

        completion = await self.dispatcher(talk.study).retrying(once)
        text = stored[0] if completion is None else completion.text
        return Reply(talk.turn, "answered", text)

    async def _claim(self, talk: rs.Talk, stored: list[str]) -> int | None:
        """An attempt written ahead, or None with the stored reply put in `stored`."""
        limit = talk.study.generation.timeout_seconds
        while True:
            got = await asyncio.to_thread(rs.claim, self.store, talk, self.run, limit)
            if isinstance(got, rs.Closed):
                raise GenerationError(got.reason)
            if isinstance(got, rs.OverBudget):
                raise GenerationError(
                    f"the budget would be passed (spent ${got.spent_usd:.2f} of "
                    f"arguments.budget_usd = ${talk.study.arguments.budget_usd:.2f})"
                )
            if isinstance(got, rs.Stored):
                stored.append(got.text)
                return None
            if isinstance(got, rs.Claimed):
                return got.attempt_id
            await asyncio.sleep(POLL_SECONDS)  # another live process is sending it

    def _record(
        self,
        talk: rs.Talk,
        attempt: int | None,
        completion: Completion,
        latency: int,
        started: datetime,
    ) -> None:
        cost = talk.model.cost(completion.input_tokens, completion.output_tokens)
        answer = rs.Answer(
            completion.text,
            completion.input_tokens,
            completion.output_tokens,
            0.0 if attempt is None else cost,
            latency,
            completion.placeholder,
            started,
        )
        rs.record_answer(self.store, talk, attempt, answer)
