"""The events the tax service publishes on `cbec.tax.v1`: its contract, and the tax officers'
feed. Every decision carries the inputs it used, so that an officer can audit it.

Key: the order number. A published event is never edited: a change is a new version.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from cbec.shared.envelope import Event
from cbec.shared.envelope import with_examples as _examples

TOPIC = "cbec.tax.v1"


class TaxLine(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    gnum: int
    gcode: str
    dutiableValue: Decimal
    tariffRate: Decimal
    vatRate: Decimal
    consumptionRate: Decimal
    tariff: Decimal
    vat: Decimal
    consumptionTax: Decimal


class ImportTaxAssessed(Event):
    """The electronic tax bill of an import list (CEB816 semantics)."""

    model_config = _examples(
        {
            "orderNo": "IO202611220001",
            "invtNo": "43002026I000000001",
            "taxNo": "43002026T000000001",
            "buyerIdNumber": "370102199001011234",
            "mode": "retail",
            "assureCode": "4403169D3W",
            "lines": [
                {
                    "gnum": 1,
                    "gcode": "3304990099",
                    "dutiableValue": "110.00",
                    "tariffRate": "0",
                    "vatRate": "0.13",
                    "consumptionRate": "0.15",
                    "tariff": "0.00",
                    "vat": "11.78",
                    "consumptionTax": "13.59",
                }
            ],
            "total": "25.37",
            "yearTotalAfter": "110.00",
            "assessedAt": "2026-11-22T09:00:00+08:00",
        }
    )
    event_type: ClassVar[str] = "cbec.tax.import.assessed.v1"
    topic: ClassVar[str] = TOPIC
    orderNo: str
    invtNo: str
    taxNo: str
    buyerIdNumber: str
    mode: Literal["retail", "general"]
    assureCode: str | None = None
    lines: tuple[TaxLine, ...]
    total: Decimal
    yearTotalAfter: Decimal
    assessedAt: str


class ImportTaxRefused(Event):
    """An import list was refused from the retail channel (-621005 / -621018 / not listed)."""

    model_config = _examples(
        {
            "orderNo": "IO202611220002",
            "invtNo": "43002026I000000002",
            "buyerIdNumber": "370102199001011234",
            "returnStatus": "-621018",
            "returnInfo": "buyer's 2026 total 25,900.00 + 200.00 exceeds the limit 26,000.00",
            "refusedAt": "2026-11-22T09:00:00+08:00",
        }
    )
    event_type: ClassVar[str] = "cbec.tax.import.refused.v1"
    topic: ClassVar[str] = TOPIC
    orderNo: str
    invtNo: str | None = None
    buyerIdNumber: str
    returnStatus: str
    returnInfo: str
    refusedAt: str


class QuotaRestored(Event):
    """A return within the window restored the buyer's annual amount; the tax is not collected."""

    model_config = _examples(
        {
            "orderNo": "IO202611220001",
            "invtNo": "43002026I000000001",
            "buyerIdNumber": "370102199001011234",
            "year": 2026,
            "restored": "110.00",
            "yearTotalAfter": "0.00",
            "taxVoided": "25.37",
            "restoredAt": "2026-12-10T09:00:00+08:00",
        }
    )
    event_type: ClassVar[str] = "cbec.tax.quota.restored.v1"
    topic: ClassVar[str] = TOPIC
    orderNo: str
    invtNo: str
    buyerIdNumber: str
    year: int
    restored: Decimal
    yearTotalAfter: Decimal
    taxVoided: Decimal
    restoredAt: str


class ExemptionDecided(Event):
    """A closed export list line was judged for VAT and consumption-tax exemption.

    The three conditions of 财税〔2018〕103号; ``reasons`` names each one that failed.
    """

    model_config = _examples(
        {
            "orderNo": "EO202611220001",
            "invtNo": "43002026E000000001",
            "gnum": 1,
            "ebcCode": "3702960001",
            "gcode": "6911101900",
            "customsCode": "4300",
            "exempt": True,
            "reasons": [],
            "amount": "200.00",
            "currency": "142",
            "decidedAt": "2026-11-23T10:05:00+08:00",
        }
    )
    event_type: ClassVar[str] = "cbec.tax.export.exemption_decided.v1"
    topic: ClassVar[str] = TOPIC
    orderNo: str
    invtNo: str
    gnum: int
    ebcCode: str
    gcode: str
    customsCode: str
    exempt: bool
    reasons: tuple[str, ...]
    amount: Decimal
    currency: str
    decidedAt: str


class RefundComputed(Event):
    """An export refund with purchase invoices (FOB in CNY × the HS code's refund rate)."""

    model_config = _examples(
        {
            "orderNo": "EO202611220003",
            "invtNo": "43002026E000000003",
            "ebcCode": "3702960001",
            "fobCny": "1000.00",
            "rate": "7.1234",
            "refund": "130.00",
            "lines": [
                {
                    "gnum": 1,
                    "gcode": "6911101900",
                    "fobCny": "1000.00",
                    "refundRate": "0.13",
                    "refund": "130.00",
                }
            ],
            "computedAt": "2026-11-23T10:05:00+08:00",
        }
    )
    event_type: ClassVar[str] = "cbec.tax.export.refund_computed.v1"
    topic: ClassVar[str] = TOPIC
    orderNo: str
    invtNo: str
    ebcCode: str
    fobCny: Decimal
    rate: Decimal
    refund: Decimal
    lines: tuple[dict[str, str | int], ...]
    computedAt: str


EVENTS: tuple[type[Event], ...] = (
    ImportTaxAssessed,
    ImportTaxRefused,
    QuotaRestored,
    ExemptionDecided,
    RefundComputed,
)
