"""One transaction of the declaration service: its repositories, the outbox, and the service's
parts (settings, rules, the customs port, the quota client).

What a transaction leaves for after its commit (a quota reservation to ask of the tax service)
is collected in ``follow_ups``: remote calls are made outside any transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.declaration.adapters import CustomsPort, QuotaClient
from cbec.declaration.domain import DeclarationRules
from cbec.declaration.repository import DocumentRepository, ListRepository, OrderRepository
from cbec.declaration.settings import Settings
from cbec.shared.db import serialise
from cbec.shared.outbox import Outbox
from cbec.shared.service import Runtime
from cbec.shared.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from cbec.declaration.use_cases.quota import FollowUp

LISTS_LOCK = "cbec.declaration.lists"


@dataclass
class Declaration:
    """The service's parts the use cases need: rules, the customs port, the quota client."""

    settings: Settings
    rules: DeclarationRules
    port: CustomsPort
    quota: QuotaClient
    outbox: Outbox
    runtime: Any = None
    """The runtime, for the quota desk's own short transactions."""

    @property
    def document_wait(self) -> timedelta:
        return self.settings.three_document_wait or self.rules.three_document.document_wait


def declaration_of(runtime: Runtime) -> Declaration:
    """The :class:`Declaration` the app's start hook put on the runtime."""
    return runtime.part(Declaration)


class DeclarationWork(UnitOfWork):
    """A transaction of the declaration service."""

    def __init__(self, session: AsyncSession, decl: Declaration) -> None:
        super().__init__(session, decl.outbox)
        self.decl = decl
        self.orders = OrderRepository(session)
        self.lists = ListRepository(session)
        self.documents = DocumentRepository(session)
        self.follow_ups: list[FollowUp] = []

    @property
    def rules(self) -> DeclarationRules:
        return self.decl.rules

    async def lists_one_at_a_time(self) -> None:
        """Every use case that files a document of a list's checks or moves a list takes this
        first, so that on PostgreSQL they run one transaction after another (SQLite has a
        single writer anyway). Otherwise a list and the last of its documents filed at the same
        moment each miss the other (neither transaction sees the other's row; both commit) and
        the list waits for the periodic check although everything is on file; and two
        transactions could decide the same list twice."""
        await serialise(self.session, LISTS_LOCK)


@asynccontextmanager
async def transaction(decl: Declaration) -> AsyncIterator[DeclarationWork]:
    """A new transaction of the service's runtime: committed when the block ends."""
    async with decl.runtime.transaction() as session:
        yield DeclarationWork(session, decl)
