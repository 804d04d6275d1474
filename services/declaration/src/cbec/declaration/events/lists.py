"""The events of orders and inventory lists (DOMAIN.md §2-4, §8)."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from cbec.declaration.events.base import TOPIC, ListLine, OrderLine
from cbec.shared.envelope import Event
from cbec.shared.envelope import with_examples as _examples

_EXPORT_ORDER = {
    "orderNo": "EO202611220001",
    "ieFlag": "E",
    "orderType": "E",
    "ebpCode": "4403169D3W",
    "ebcCode": "3702960001",
    "currency": "142",
    "goodsValue": "200.00",
    "freight": "10.00",
    "lines": [
        {
            "gnum": 1,
            "itemName": "ceramic teapot",
            "unit": "011",
            "qty": "2",
            "price": "100.00",
            "totalPrice": "200.00",
            "currency": "142",
        }
    ],
    "acceptedAt": "2026-11-22T08:00:00+08:00",
}
_RELEASED_EXPORT = {
    "orderNo": "EO202611220001",
    "ieFlag": "E",
    "copNo": "COP20261122001",
    "invtNo": "43002026E000000001",
    "preNo": "B20261122000000001",
    "tradeMode": "9610",
    "ebpCode": "4403169D3W",
    "ebcCode": "3702960001",
    "agentCode": "3702960001",
    "ownerCode": "3702960001",
    "logisticsCode": "3702980002",
    "logisticsNo": "SF1234567890",
    "customsCode": "4300",
    "portCode": "4300",
    "trafMode": "5",
    "country": "502",
    "statisticsFlag": "B",
    "currency": "142",
    "freight": "10.00",
    "insuredFee": "0",
    "grossWeight": "1.5",
    "netWeight": "1.2",
    "lines": [
        {
            "gnum": 1,
            "gcode": "6911101900",
            "gname": "ceramic teapot",
            "country": "502",
            "currency": "142",
            "unit": "011",
            "qty": "2",
            "price": "100.00",
            "totalPrice": "200.00",
        }
    ],
    "releasedAt": "2026-11-22T09:00:00+08:00",
}
_RELEASED_IMPORT = {
    **_RELEASED_EXPORT,
    "orderNo": "IO202611220001",
    "ieFlag": "I",
    "invtNo": "43002026I000000001",
    "country": "502",
    "statisticsFlag": None,
    "buyerIdType": "1",
    "buyerIdNumber": "370102199001011234",
    "buyerName": "Zhang San",
    "assureCode": "4403169D3W",
    "lines": [
        {
            "gnum": 1,
            "gcode": "3304990099",
            "gname": "face cream",
            "country": "502",
            "currency": "142",
            "unit": "011",
            "qty": "1",
            "price": "100.00",
            "totalPrice": "100.00",
        }
    ],
}
_RELEASED_IMPORT = {k: v for k, v in _RELEASED_IMPORT.items() if v is not None}


class OrderAccepted(Event):
    """An electronic order (CEB303 export / CEB311 import) was accepted, new or changed."""

    model_config = _examples(_EXPORT_ORDER)
    event_type: ClassVar[str] = "cbec.declaration.order.accepted.v1"
    topic: ClassVar[str] = TOPIC
    orderNo: str
    ieFlag: Literal["I", "E"]
    orderType: str
    appType: Literal["1", "2"] = "1"
    ebpCode: str
    ebcCode: str
    currency: str
    goodsValue: Decimal
    freight: Decimal
    discount: Decimal | None = None
    taxTotal: Decimal | None = None
    acturalPaid: Decimal | None = None
    buyerIdType: str | None = None
    buyerIdNumber: str | None = None
    buyerName: str | None = None
    consignee: str | None = None
    consigneeTelephone: str | None = None
    consigneeAddress: str | None = None
    lines: tuple[OrderLine, ...]
    acceptedAt: str


class ListStatusChanged(Event):
    """An inventory list changed status: one receipt (returnStatus, returnTime, returnInfo).

    The receipt is the declarant's: a status customs' own judgement decided (300, 500, an
    officer's 399/800/100) says only what the standard allows; why is in
    :class:`ListAssessed`, for customs alone."""

    model_config = _examples(
        {
            "orderNo": "EO202611220001",
            "ieFlag": "E",
            "copNo": "COP20261122001",
            "preNo": "B20261122000000001",
            "invtNo": "43002026E000000001",
            "ebcCode": "3702960001",
            "ebpCode": "4403169D3W",
            "agentCode": "3702960001",
            "logisticsCode": "3702980002",
            "logisticsNo": "SF1234567890",
            "returnStatus": "120",
            "returnTime": "20261122090000000",
            "returnInfo": "stored by customs, logic check passed",
        }
    )
    event_type: ClassVar[str] = "cbec.declaration.list.status_changed.v1"
    topic: ClassVar[str] = TOPIC
    orderNo: str
    ieFlag: Literal["I", "E"]
    copNo: str
    preNo: str | None = None
    invtNo: str | None = None
    ebcCode: str
    ebpCode: str
    agentCode: str
    logisticsCode: str
    logisticsNo: str
    returnStatus: str
    returnTime: str
    returnInfo: str


class _ReleasedList(Event):
    """The facts of a released list that several events repeat (not published by itself)."""

    orderNo: str
    ieFlag: Literal["I", "E"]
    copNo: str
    invtNo: str
    preNo: str | None = None
    tradeMode: str
    ebpCode: str
    ebcCode: str
    agentCode: str
    ownerCode: str | None = None
    logisticsCode: str
    logisticsNo: str
    customsCode: str
    portCode: str
    trafMode: str
    country: str
    statisticsFlag: str | None = None
    currency: str
    freight: Decimal
    insuredFee: Decimal
    grossWeight: Decimal | None = None
    netWeight: Decimal | None = None
    lines: tuple[ListLine, ...]
    releasedAt: str


class ListReleased(_ReleasedList):
    """Customs released an inventory list (800): the goods may move; tax and quota apply."""

    model_config = _examples(_RELEASED_EXPORT, _RELEASED_IMPORT)
    event_type: ClassVar[str] = "cbec.declaration.list.released.v1"
    topic: ClassVar[str] = TOPIC
    buyerIdType: str | None = None
    buyerIdNumber: str | None = None
    buyerName: str | None = None
    assureCode: str | None = None
    emsNo: str | None = None


class ListRejected(Event):
    """A list was rejected (100) by the check or by an officer; every failed rule of the
    declarant's own documents is named. An officer's rejection names what the officer told the
    declarant, never the officer's note (that is in :class:`ListAssessed`)."""

    model_config = _examples(
        {
            "orderNo": "EO202611220001",
            "ieFlag": "E",
            "copNo": "COP20261122001",
            "ebcCode": "3702960001",
            "rules": ["received amount 200.00 differs from goodsValue + freight 210.00"],
            "returnInfo": "received amount 200.00 differs from goodsValue + freight 210.00",
            "rejectedAt": "2026-11-22T09:00:00+08:00",
        }
    )
    event_type: ClassVar[str] = "cbec.declaration.list.rejected.v1"
    topic: ClassVar[str] = TOPIC
    orderNo: str
    ieFlag: Literal["I", "E"]
    copNo: str
    invtNo: str | None = None
    ebcCode: str
    rules: tuple[str, ...]
    returnInfo: str
    returnStatus: str = "100"
    rejectedAt: str


class CustomsReason(BaseModel):
    """One of customs' reasons: a risk rule that fired (``rule``, ``outcome``: the status it
    asked for, ``detail``: its finding with thresholds and usual prices) or an officer's
    decision (``officer``, ``action``, ``detail``: the officer's note)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    kind: Literal["risk-rule", "officer-decision"]
    detail: str
    rule: str | None = None
    outcome: str | None = None
    officer: str | None = None
    action: str | None = None


class ListAssessed(Event):
    """Customs' own reasons for a list's status, for customs officers only: the risk rules that
    sent it to manual review (300) or inspection (500), or an officer's decision with the
    officer's code and note. ``returnStatus`` is the status the reasons led to and
    ``declarantInfo`` what the declarant's receipt said. Consumers that serve declarants
    (the gateway's receipts, webhooks and one-stop views) never pass it on."""

    model_config = _examples(
        {
            "orderNo": "EO202611220001",
            "ieFlag": "E",
            "copNo": "COP20261122001",
            "preNo": "B20261122000000001",
            "invtNo": "43002026E000000001",
            "ebcCode": "3702960001",
            "ebpCode": "4403169D3W",
            "agentCode": "3702960001",
            "returnStatus": "300",
            "declarantInfo": "held for manual review",
            "reasons": [
                {
                    "kind": "risk-rule",
                    "rule": "price-far-from-usual",
                    "outcome": "300",
                    "detail": "inventoryList[1].price 30 vs usual 8 for 6109100022 (factor 3)",
                }
            ],
            "assessedAt": "2026-11-22T09:00:00+08:00",
        },
        {
            "orderNo": "EO202611220001",
            "ieFlag": "E",
            "copNo": "COP20261122001",
            "invtNo": "43002026E000000001",
            "ebcCode": "3702960001",
            "ebpCode": "4403169D3W",
            "agentCode": "3702960001",
            "returnStatus": "800",
            "declarantInfo": "released",
            "reasons": [
                {
                    "kind": "officer-decision",
                    "officer": "4300000009",
                    "action": "release",
                    "detail": "signed edition, invoice seen",
                }
            ],
            "assessedAt": "2026-11-22T11:00:00+08:00",
        },
    )
    event_type: ClassVar[str] = "cbec.declaration.list.assessed.v1"
    topic: ClassVar[str] = TOPIC
    orderNo: str
    ieFlag: Literal["I", "E"]
    copNo: str
    preNo: str | None = None
    invtNo: str | None = None
    ebcCode: str
    ebpCode: str
    agentCode: str
    returnStatus: str
    declarantInfo: str
    reasons: tuple[CustomsReason, ...]
    assessedAt: str


class ListClosed(_ReleasedList):
    """An export list closed (899) after its goods departed; import lists close on delivery."""

    model_config = _examples(
        {
            **_RELEASED_EXPORT,
            "closedAt": "2026-11-23T10:00:00+08:00",
            "leaveTime": "20261123100000",
        }
    )
    event_type: ClassVar[str] = "cbec.declaration.list.closed.v1"
    topic: ClassVar[str] = TOPIC
    closedAt: str
    leaveTime: str | None = None


class ListRevoked(Event):
    """A released list was withdrawn by an accepted revocation (CEB605 / CEB623)."""

    model_config = _examples(
        {
            "orderNo": "IO202611220001",
            "ieFlag": "I",
            "copNo": "COP20261122002",
            "invtNo": "43002026I000000001",
            "ebcCode": "3702960001",
            "reason": "order cancelled by the buyer",
            "revokedAt": "2026-11-22T12:00:00+08:00",
        }
    )
    event_type: ClassVar[str] = "cbec.declaration.list.revoked.v1"
    topic: ClassVar[str] = TOPIC
    orderNo: str
    ieFlag: Literal["I", "E"]
    copNo: str
    invtNo: str
    ebcCode: str
    reason: str
    revokedAt: str


class ListIncomplete(Event):
    """A list still lacks documents at the deadline; names the missing ones."""

    model_config = _examples(
        {
            "orderNo": "EO202611220002",
            "ieFlag": "E",
            "copNo": "COP20261122003",
            "ebcCode": "3702960001",
            "missing": ["waybill"],
            "deadline": "2026-11-23T08:00:00+08:00",
        }
    )
    event_type: ClassVar[str] = "cbec.declaration.list.incomplete.v1"
    topic: ClassVar[str] = TOPIC
    orderNo: str
    ieFlag: Literal["I", "E"]
    copNo: str
    ebcCode: str
    missing: tuple[str, ...]
    deadline: str
