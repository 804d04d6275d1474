"""HTTP API of the payments service (behind the gateway, which authenticates the enterprise).

Documents are the customs standard's entities as JSON, with its field names: an import payment
voucher is the CEB411 ``Payment`` entity (``{"PaymentHead": {...}}``), an export receipt of
funds the CEB403 ``Receipts`` entity. A body is one document or an array of up to 100; the
answer has one receipt per document, in order. Two extensions may sit beside the entity:

- ``payerIsBuyer`` (vouchers): the payment institution's statement whether the payer is the
  buyer (DOMAIN.md §7); not a field of the 202205 CEB411, so it travels beside ``PaymentHead``;
- ``splitPayment`` (both): ``{"paymentId": ..., "total": ...}`` when this document is one
  order's share of a payment that covers several orders (DOMAIN.md §7): every part names the
  same payment and its total; reconciliation checks each share against its order and the
  shares against the total.

The caller (enterprise code and roles) is the one the gateway's caller token names
(:mod:`cbec.shared.callers`); replacing the rate table and starting runs need the ``operator``
role. Whatever the gateway checked, the service decides on the object
(:mod:`cbec.payments.domain.access`): a document is filed by an enterprise it names, changed or
deleted only by the one that filed it, and read only by the enterprises it names and the
officers and operators (404 for anyone else).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from cbec.payments.domain import FlagCode, access
from cbec.payments.domain.funds import SplitPart
from cbec.payments.domain.times import from_customs_time
from cbec.payments.settings import Settings
from cbec.payments.unit_of_work import PaymentsWork
from cbec.payments.use_cases import documents, queries, settlement, tables
from cbec.payments.use_cases.documents import DocumentReceipt, Submitted
from cbec.payments.use_cases.kinds import RECEIPTS, VOUCHERS
from cbec.payments.use_cases.runs import Runs
from cbec.shared.callers import Caller, caller, require_party, require_role
from cbec.shared.ceb.export_models import Receipts
from cbec.shared.ceb.import_models import Payment
from cbec.shared.clock import utcnow
from cbec.shared.errors import InvalidInput, NotFound, Violation
from cbec.shared.service import Runtime, get_runtime

router = APIRouter()
MAX_DOCUMENTS = 100  # a message carries up to 100 records (DOMAIN.md §2)
OPERATOR = "operator"


operator = require_role(OPERATOR)


filer = require_party
officer = require_role(*sorted(access.OFFICERS))


def runs_of(request: Request) -> Runs:
    found: Runs = request.app.state.payments_runs
    return found


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
CallerDep = Annotated[Caller, Depends(caller)]
OperatorDep = Annotated[Caller, Depends(operator)]
OfficerDep = Annotated[Caller, Depends(officer)]
FilerDep = Annotated[Caller, Depends(filer)]
RunsDep = Annotated[Runs, Depends(runs_of)]


class SplitPayment(BaseModel):
    """Extension: this document is one order's share of a payment covering several orders."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    paymentId: str = Field(min_length=1, max_length=60, description="the whole payment's id")
    total: Decimal = Field(gt=0, max_digits=19, decimal_places=5, description="its total")


class PaymentDocument(Payment):
    """CEB411 ``Payment`` entity, with the platform's extensions beside ``PaymentHead``."""

    payerIsBuyer: bool | None = Field(
        default=None,
        description="extension: the payment institution says whether the payer is the buyer",
    )
    splitPayment: SplitPayment | None = Field(default=None, description="extension")


class ReceiptDocument(Receipts):
    """CEB403 ``Receipts`` entity, with the platform's split-payment extension."""

    splitPayment: SplitPayment | None = Field(default=None, description="extension")


_PAYMENTS = TypeAdapter(list[PaymentDocument])
_RECEIPTS = TypeAdapter(list[ReceiptDocument])


def _inline(node: Any, definitions: dict[str, Any]) -> Any:
    """The schema with every ``#/$defs/...`` reference replaced by its definition."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(definitions[ref.removeprefix("#/$defs/")], definitions)
        return {k: _inline(v, definitions) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline(v, definitions) for v in node]
    return node


def _body_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI request body: one document or an array of up to 100 (parsed by hand, so
    that JSON numbers become Decimals without passing through floats)."""
    one_or_many: Any = model | Annotated[list[model], Field(max_length=MAX_DOCUMENTS)]  # type: ignore[valid-type]
    schema = TypeAdapter(one_or_many).json_schema()
    definitions = schema.pop("$defs", {})
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _inline(schema, definitions)}},
        }
    }


def _documents(raw: bytes, adapter: TypeAdapter[list[Any]]) -> tuple[list[Any], bool]:
    """The documents of a body (one, or an array of up to 100), validated by the CEB models."""
    try:
        data = json.loads(raw, parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidInput([Violation("<body>", f"must be JSON: {error}")]) from None
    single = isinstance(data, dict)
    items = [data] if single else data
    if not isinstance(items, list) or not items or len(items) > MAX_DOCUMENTS:
        raise InvalidInput(
            [Violation("<body>", f"must be one document or an array of 1 to {MAX_DOCUMENTS}")]
        )
    try:
        return adapter.validate_python(items), single
    except ValidationError as error:
        violations = []
        for problem in error.errors():
            loc = list(problem["loc"])
            where = ".".join(str(p) for p in (loc[1:] if single else loc)) or "<body>"
            raw_value = problem.get("input")
            value = raw_value if isinstance(raw_value, str | int | Decimal) else None
            violations.append(Violation(where, problem["msg"], value))
        raise InvalidInput(violations) from None


def _receipts_answer(receipts: list[DocumentReceipt]) -> dict[str, Any]:
    return {"receipts": [r.as_dict() for r in receipts]}


_RECEIPTS_EXAMPLE = {
    "receipts": [
        {
            "returnStatus": "2",
            "returnTime": "20240507153001123",
            "returnInfo": "CEB411:4403169D3W:P0242250007 is new",
            "guid": "4CDE1CFD-EDED-46B1-946C-B8022E42FC94",
            "payCode": "4403169D3W",
            "payTransactionId": "P0242250007",
            "orderNo": "order2016030811340007",
            "ebpCode": "1101110325",
        }
    ]
}


def _submitted(fields: dict[str, Any], split: SplitPayment | None) -> Submitted:
    """One funds document as the service applies it: its fields and its split-payment part."""
    part = SplitPart(split.paymentId, split.total) if split is not None else None
    return Submitted(fields=fields, split=part)


@router.post(
    "/v1/import/payments",
    tags=["funds documents"],
    openapi_extra=_body_schema(PaymentDocument),
    responses={200: {"content": {"application/json": {"example": _RECEIPTS_EXAMPLE}}}},
)
async def submit_payments(request: Request, runtime: RuntimeDep, who: FilerDep) -> dict[str, Any]:
    """Accept CEB411 payment vouchers of the calling institution; one sent again is answered as
    accepted and changes nothing; another one under a taken key (or for an order already paid),
    or anything under the key of a voucher another enterprise filed, is -401007."""
    payments, _ = _documents(await request.body(), _PAYMENTS)
    submitted = [
        _submitted({**d.PaymentHead.model_dump(), "payerIsBuyer": d.payerIsBuyer}, d.splitPayment)
        for d in payments
    ]
    async with PaymentsWork.of(runtime) as work:
        receipts = await documents.submit(work, VOUCHERS, submitted, who=who, now=utcnow())
    return _receipts_answer(receipts)


@router.post(
    "/v1/export/receipts",
    tags=["funds documents"],
    openapi_extra=_body_schema(ReceiptDocument),
)
async def submit_receipts(request: Request, runtime: RuntimeDep, who: FilerDep) -> dict[str, Any]:
    """Accept CEB403 receipts of funds naming the caller; one sent again is answered as accepted
    and changes nothing; another one under a taken key (or for an order already paid), or
    anything under the key of a receipt another enterprise filed, is -401007."""
    receipts_of_funds, _ = _documents(await request.body(), _RECEIPTS)
    submitted = [
        _submitted(d.model_dump(exclude={"splitPayment"}), d.splitPayment)
        for d in receipts_of_funds
    ]
    async with PaymentsWork.of(runtime) as work:
        receipts = await documents.submit(work, RECEIPTS, submitted, who=who, now=utcnow())
    return _receipts_answer(receipts)


class SettlementRunRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    through: date = Field(description="settle receipts credited on or before this day")


@router.post("/v1/settlements/run", tags=["settlement"])
async def run_settlement(
    body: SettlementRunRequest, runtime: RuntimeDep, runs: RunsDep, who: OperatorDep
) -> dict[str, Any]:
    """Settle every unsettled foreign-currency receipt up to a day, per institution/payee/day."""
    report = await runs.settle(runtime, body.through, run_by=who.party)
    return report.as_dict()


@router.get("/v1/settlements", tags=["settlement"])
async def list_settlements(
    runtime: RuntimeDep,
    who: CallerDep,
    ebcCode: Annotated[str | None, Query(max_length=18)] = None,
    day: date | None = None,
) -> dict[str, Any]:
    """Settlements of a payee and/or a day, with the receipts each covers (an enterprise: those
    naming it as payee or paying institution)."""
    async with PaymentsWork.of(runtime) as work:
        found = await settlement.list_settlements(work, who=who, ebc_code=ebcCode, day=day)
    return {"settlements": found}


@router.post("/v1/reconciliation/run", tags=["reconciliation"])
async def run_reconciliation(
    runtime: RuntimeDep, runs: RunsDep, _who: OperatorDep
) -> dict[str, Any]:
    """Reconcile every order with its funds; each new flag is published once."""
    report = await runs.reconcile(runtime)
    return report.as_dict()


@router.get("/v1/reconciliation/orders/{orderNo}", tags=["reconciliation"])
async def order_ledger(
    orderNo: str,
    runtime: RuntimeDep,
    who: CallerDep,
    party: Annotated[str | None, Query(max_length=18)] = None,
) -> dict[str, Any]:
    """The ledger of an order: the order, its funds, their settlements and its flags (an
    enterprise: the ledgers naming it; 404 when none does)."""
    settings = cast(Settings, runtime.settings)
    async with PaymentsWork.of(runtime) as work:
        ledgers = await queries.order_ledgers(
            work,
            orderNo,
            who=who,
            party=party,
            policy=settings.reconciliation_policy(),
            now=utcnow(),
        )
    if not ledgers:
        raise NotFound(
            f"no order or funds document {orderNo}",
            [Violation("orderNo", "no order or funds document on file", orderNo)],
        )
    return {"ledgers": ledgers}


@router.get("/v1/reconciliation/flags", tags=["reconciliation"])
async def list_flags(
    runtime: RuntimeDep,
    who: CallerDep,
    ebcCode: Annotated[str | None, Query(max_length=18)] = None,
    ebpCode: Annotated[str | None, Query(max_length=18)] = None,
    since: datetime | None = None,
    flag: FlagCode | None = None,
) -> dict[str, Any]:
    """Flags raised by reconciliation, of an enterprise and since a moment (oldest first); an
    enterprise sees those of its own orders."""
    moment = from_customs_time(since) if since is not None else None
    async with PaymentsWork.of(runtime) as work:
        found = await queries.list_flags(
            work, ebc_code=ebcCode, ebp_code=ebpCode, since=moment, who=who, flag=flag
        )
    return {"flags": found}


@router.get("/v1/reconciliation/report", tags=["reconciliation"])
async def reconciliation_report(runtime: RuntimeDep, _who: OfficerDep) -> dict[str, Any]:
    """Counts of the ledger: orders, funds documents, settled receipts and open flags
    (officers and operators)."""
    async with PaymentsWork.of(runtime) as work:
        return await queries.overview(work)


@router.put(
    "/v1/rates",
    tags=["rates"],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": "date,currency,cnyPerUnit\n2024-05-07,502,7.1225\n",
                }
            },
        }
    },
)
async def replace_rates(request: Request, runtime: RuntimeDep, who: OperatorDep) -> dict[str, Any]:
    """Replace the rate table (CSV); a malformed one is refused naming each bad line."""
    try:
        text = (await request.body()).decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput([Violation("<body>", "must be UTF-8 text")]) from None
    async with PaymentsWork.of(runtime) as work:
        version = await tables.replace_rates(work, text, loaded_by=who.party, now=utcnow())
    return tables.version_view(version)


@router.get("/v1/rates", tags=["rates"])
async def current_rates(runtime: RuntimeDep) -> dict[str, Any]:
    """The rate table in force: its version, source and number of rates."""
    async with PaymentsWork.of(runtime) as work:
        _, version = await tables.current_rates(work)
    if version is None:
        raise NotFound("no rate table is loaded")
    return tables.version_view(version)
