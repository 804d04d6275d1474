"""Filing the documents enterprises send: one transaction and one receipt per document.

A receipt (DOMAIN.md §3) says ``returnStatus`` 2 accepted or 100 refused with every failed rule
in ``returnInfo``; a document resent unchanged by the enterprise that sent it gets the receipt it
got the first time. Each kind of document is a :class:`DocumentKind`: how its receipt is keyed,
how its raw record is parsed into a typed message and the use case that files it::

    receipts = await submit(runtime, EXPORT_WAYBILL, documents, who)
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy.exc import IntegrityError

from cbec.logistics.domain import InvalidMessage
from cbec.logistics.domain.access import Who, filing_violations
from cbec.logistics.settings import Settings
from cbec.logistics.unit_of_work import LogisticsWork
from cbec.shared.ceb import format_return_time
from cbec.shared.clock import china, china_now
from cbec.shared.errors import CbecError, Violation
from cbec.shared.fingerprints import canonical_json, fingerprint
from cbec.shared.service import Runtime
from cbec.shared.telemetry import tag_span

log = logging.getLogger(__name__)

ACCEPTED = "2"
REFUSED = "100"
RETURN_INFO_MAX = 1000

PRE_NO_SERIES = 5
"""``preNo`` is `B` + yyyyMMdd + 9 digits (DOMAIN.md §1); logistics gives the series whose first
digit is 5, so that its numbers never meet the declaration service's (its lists' row ids)."""

T = TypeVar("T")
Record = dict[str, Any]


def iso(at: datetime) -> str:
    """A moment as the events write it: ISO 8601 in China time (to the microsecond)."""
    return china(at).isoformat()


def ceb_time(at: datetime) -> str:
    return china(at).strftime("%Y%m%d%H%M%S")


def head_of(document: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    head = document.get(name)
    return head if isinstance(head, Mapping) else {}


def pick(record: Mapping[str, Any], *names: str) -> dict[str, Any]:
    return {name: record.get(name) for name in names}


@dataclass(frozen=True, slots=True)
class Context:
    """What a use case needs besides its unit of work."""

    settings: Settings
    now: datetime
    party: str | None = None
    """The enterprise filing the document (checked by :func:`submit_one` to be named by it)."""

    @property
    def filer(self) -> str:
        if not self.party:
            raise ValueError("a document is filed by an enterprise: the caller names none")
        return self.party

    def not_in_future(self, at: datetime, field: str, document: str) -> datetime:
        """A document's own time (appTime, leaveTime ...) may not lie in the future."""
        latest = self.now + timedelta(seconds=self.settings.document_time_tolerance_seconds)
        if at > latest:
            raise InvalidMessage(
                document,
                [
                    Violation(
                        field=field,
                        rule=f"{field.rsplit('.', 1)[-1]} must not be in the future",
                        value=ceb_time(at),
                        expected=f"<= {ceb_time(self.now)}",
                    )
                ],
            )
        return at


@dataclass(frozen=True, slots=True)
class Filed(Generic[T]):
    """A typed message and the record it was read from (kept as sent)."""

    message: T
    record: Record


OnRefused = Callable[[LogisticsWork, Record, CbecError], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class DocumentKind(Generic[T]):
    """How one kind of document is filed: its code, the keys its receipt repeats, how it is read
    into a typed message, its use case and what to undo when it is refused."""

    code: str
    keys: Callable[[Mapping[str, Any]], dict[str, Any]]
    parse: Callable[[Record], T]
    apply: Callable[[LogisticsWork, Context, T], Awaitable[str]]
    on_refused: OnRefused | None = None
    pre_numbered: bool = False
    """Its receipt carries the platform's pre-entry number (``preNo``) of the accepted message,
    as the standard's receipt message requires (CEB508, CEB510, CEB608)."""


def pre_no(serial: int, at: datetime) -> str:
    """The pre-entry number of the logistics message filed ``serial``-th, on ``at``'s day."""
    return f"B{china(at):%Y%m%d}{PRE_NO_SERIES}{serial % 10**8:08d}"


def receipt(status: str, info: str, keys: Mapping[str, Any], at: datetime) -> dict[str, Any]:
    """A receipt (DOMAIN.md §3): the document's keys, returnStatus, returnTime, returnInfo."""
    text = info if len(info) <= RETURN_INFO_MAX else info[: RETURN_INFO_MAX - 3] + "..."
    return {
        **{k: v for k, v in keys.items() if v is not None},
        "returnStatus": status,
        "returnTime": format_return_time(china(at)),
        "returnInfo": text,
    }


async def submit(
    runtime: Runtime, kind: DocumentKind[Any], documents: Sequence[Record], who: Who
) -> list[dict[str, Any]]:
    """File every document of ``who``, each in its own transaction; one receipt per document."""
    return [await submit_one(runtime, kind, document, who) for document in documents]


async def submit_one(
    runtime: Runtime, kind: DocumentKind[Any], document: Record, who: Who
) -> dict[str, Any]:
    settings = runtime.settings
    assert isinstance(settings, Settings)
    print_ = fingerprint(document)
    keys = kind.keys(document)
    party = who.party
    tag_span(**{k: v for k, v in keys.items() if k != "guid"})
    not_named = filing_violations(who, kind.code, document)
    if not_named:
        info = f"{kind.code} refused: " + "; ".join(str(v) for v in not_named)
        return receipt(REFUSED, info, keys, china_now())
    try:
        async with LogisticsWork.of(runtime) as work:
            stored = await work.receipts.find(kind.code, print_, party)
            if stored is not None:
                return stored
            return await _file(
                work, kind, document, keys, print_, Context(settings, china_now(), party)
            )
    except CbecError as error:
        log.info("%s refused: %s", kind.code, error.message)
        if kind.on_refused is not None:
            async with LogisticsWork.of(runtime) as work:
                await kind.on_refused(work, document, error)
        status = getattr(error, "return_status", REFUSED)
        return receipt(status, error.message, keys, china_now())
    except IntegrityError:
        # The same document filed at the same moment by another request: answer as it was.
        async with LogisticsWork.of(runtime) as work:
            stored = await work.receipts.find(kind.code, print_, party)
        if stored is None:
            raise
        return stored


async def _file(
    work: LogisticsWork,
    kind: DocumentKind[Any],
    document: Record,
    keys: dict[str, Any],
    print_: str,
    context: Context,
) -> dict[str, Any]:
    """Parse and apply the document, then keep its receipt under its fingerprint."""
    info = await kind.apply(work, context, kind.parse(document))
    row = await work.receipts.add(kind.code, print_, context.party, numbered=kind.pre_numbered)
    if kind.pre_numbered:
        assert row.id is not None
        keys = {**keys, "preNo": pre_no(row.id, context.now)}
    answer = receipt(ACCEPTED, info, keys, context.now)
    row.receipt = canonical_json(answer)
    return answer
