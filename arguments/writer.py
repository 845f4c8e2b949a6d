"""The run's ledger writer: group commit of write-ahead records, outcomes and arguments.

Every call waits for the commit of the transaction that carried it, so a write-ahead record
is durable before its request is sent, exactly as with one transaction per record. The calls
made while the event loop was busy share the next transaction, written with one statement per
kind (executemany) in the event loop's thread: a run with many requests in flight pays one
commit per group, not per record, and no thread contends with the loop for the interpreter.
Write-ahead records are fenced by the study's lease: when it was taken over, they fail with
LeaseLost and nothing of them is written.

The writer holds one connection for the run and builds its statements once (`Statements`):
a transaction is then BEGIN, the fence, one executemany per kind and COMMIT, with no pool
checkout (a PostgreSQL pre-ping) and no statement construction in between. A connection that
failed is dropped; the next group opens a fresh one."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Connection, Executable, Table, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from arguments.lease import Lease, LeaseLost
from arguments.ledger import ANSWERED, FAILED, SENT, Outgoing
from study.store import ArgumentRow, GenerationLeaseRow, GenerationRequestRow, Store, utcnow

REQUESTS = cast(Table, GenerationRequestRow.__table__)
ARGUMENTS = cast(Table, ArgumentRow.__table__)
LEASES = cast(Table, GenerationLeaseRow.__table__)


@dataclass(frozen=True)
class Statements:
    """The writer's statements, built once per run (SQLAlchemy then only looks up their
    compiled form)."""

    sent: Executable
    answered: Executable
    failed: Executable
    note: Executable
    argument: Executable
    fence: Executable

    @classmethod
    def build(cls, dialect: str, study_id: int) -> Statements:
        by_id = REQUESTS.c.id == bindparam("aid")
        answered = {
            "state": ANSWERED,
            "input_tokens": bindparam("i"),
            "output_tokens": bindparam("o"),
            "cost_usd": bindparam("c"),
            "ended_at": bindparam("t"),
        }
        failed = {"state": FAILED, "error": bindparam("e"), "ended_at": bindparam("t")}
        new = (pg_insert if dialect == "postgresql" else sqlite_insert)(ARGUMENTS)
        return cls(
            sent=insert(REQUESTS).returning(REQUESTS.c.id, sort_by_parameter_order=True),
            answered=update(REQUESTS).where(by_id).values(answered),
            failed=update(REQUESTS).where(by_id).values(failed),
            note=update(REQUESTS).where(by_id).values(error=bindparam("e")),
            argument=new.on_conflict_do_nothing(index_elements=["request_key"]),
            fence=select(LEASES.c.token, LEASES.c.holder).where(LEASES.c.study_id == study_id),
        )


@dataclass
class Group:
    opens: list[tuple[dict[str, Any], asyncio.Future[int]]] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    arguments: list[dict[str, Any]] = field(default_factory=list)
    waiting: list[asyncio.Future[None]] = field(default_factory=list)


@dataclass
class LedgerWriter:
    store: Store
    study_id: int
    run_id: str
    lease: Lease | None = None
    group: Group = field(default_factory=Group)
    flusher: asyncio.Task[None] | None = None
    error: Exception | None = None
    conn: Connection | None = None
    statements: Statements = field(init=False)

    def __post_init__(self) -> None:
        self.statements = Statements.build(self.store.engine.dialect.name, self.study_id)

    async def open(self, item: Outgoing, api: str) -> int:
        """Write an attempt (state sent) and return its id once committed."""
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.group.opens.append((self.sent_values(item, api), future))
        self.schedule()
        return await future

    def answered(
        self, attempt_id: int | None, usage: tuple[int, int, float], argument: ArgumentRow | None
    ) -> None:
        """Close an attempt with its usage and cost, and store the argument it yields, in the
        next transaction (started at once; the caller's next write-ahead record shares it, so
        that request is sent only after this answer is committed). `drain` waits for it."""
        if attempt_id is not None:
            self.group.answers.append(
                {"aid": attempt_id, "i": usage[0], "o": usage[1], "c": usage[2], "t": utcnow()}
            )
        if argument is not None:
            self.group.arguments.append(argument_values(argument))
        self.schedule()

    async def drain(self) -> None:
        """Wait until everything queued is committed; raise what a commit raised."""
        while self.flusher is not None and not self.flusher.done():
            await asyncio.shield(self.flusher)
        if self.error is not None:
            error, self.error = self.error, None
            raise error

    def close(self) -> None:
        """Release the run's connection (after `drain`)."""
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    async def failed(self, attempt_id: int, error: str, *, unknown: bool) -> None:
        """The API refused the attempt (not billed), or its outcome is unknown (kept sent)."""
        kind = self.group.notes if unknown else self.group.failures
        kind.append({"aid": attempt_id, "e": error[:2000], "t": utcnow()})
        await self.wait()

    def sent_values(self, item: Outgoing, api: str) -> dict[str, Any]:
        return {
            "study_id": self.study_id,
            "request_key": item.key,
            "writer": item.writer,
            "model": item.model,
            "api": api,
            "state": SENT,
            "submission": "",
            "batch_id": "",
            "worst_usd": item.worst_usd,
            "input_tokens": 0,
            "output_tokens": 0,
            "cost_usd": 0.0,
            "error": "",
            "run": self.run_id,
            "sent_at": utcnow(),
        }

    async def wait(self) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.group.waiting.append(future)
        self.schedule()
        await future

    def schedule(self) -> None:
        if self.flusher is None or self.flusher.done():
            self.flusher = asyncio.create_task(self.flush())

    async def flush(self) -> None:
        await asyncio.sleep(0)  # what else is ready this turn of the loop joins the group
        while any((self.group.opens, self.group.waiting, self.group.answers, self.group.arguments)):
            group, self.group = self.group, Group()
            self.commit(group)
            await asyncio.sleep(0)

    def commit(self, group: Group) -> None:
        try:
            if self.conn is None:
                self.conn = self.store.engine.connect()
            with self.store.writing(), self.conn.begin():
                ids, lost = self.write(self.conn, group)
        except Exception as exc:  # nothing of the group was committed
            self.error = exc
            self.close()
            for future in [f for _, f in group.opens] + group.waiting:
                if not future.done():
                    future.set_exception(exc)
            return
        for i, (_, future) in enumerate(group.opens):
            if future.done():
                continue
            if lost is not None:
                future.set_exception(lost)
            else:
                future.set_result(ids[i])
        for waiter in group.waiting:
            if not waiter.done():
                waiter.set_result(None)

    def write(self, conn: Connection, group: Group) -> tuple[list[int], LeaseLost | None]:
        ids: list[int] = []
        run = self.statements
        lost = self.fence(conn) if group.opens else None
        if group.opens and lost is None:
            ids = [int(i) for i in conn.execute(run.sent, [v for v, _ in group.opens]).scalars()]
        for statement, rows in (
            (run.answered, group.answers),
            (run.failed, group.failures),
            (run.note, group.notes),
            (run.argument, group.arguments),
        ):
            if rows:
                conn.execute(statement, rows)
        return ids, lost

    def fence(self, conn: Connection) -> LeaseLost | None:
        if self.lease is None:
            return None
        row = conn.execute(self.statements.fence).first()
        if row is not None and row.token == self.lease.token:
            return None
        return self.lease.lost(row.holder if row is not None else "nobody")


def argument_values(row: ArgumentRow) -> dict[str, Any]:
    """A new argument's column values, every column given (one shape for executemany)."""
    values = {}
    for column in ARGUMENTS.columns:
        value = getattr(row, column.key)
        if value is None and column.default is not None and not column.primary_key:
            arg = getattr(column.default, "arg", None)
            value = arg(None) if callable(arg) else arg
        if value is not None:
            values[column.key] = value
    return values
