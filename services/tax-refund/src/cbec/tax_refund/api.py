"""HTTP API of the tax service (behind the gateway): quota reservations, tax bills, the
buyer's year, export invoices and outcomes, deemed income tax, and the data tables.

Amounts are decimal strings both ways: a JSON number would pass through a float.

Whatever the gateway checked, reads are decided on the record
(:mod:`cbec.tax_refund.domain.access`): a tax bill, an export list's outcome or an income tax
statement is read by the enterprises it names, officers and operators, and is 404 for anyone
else; a buyer's quota is for officers and operators.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from cbec.shared.callers import Caller, caller, require_party, require_role
from cbec.shared.errors import ErrorReport
from cbec.shared.service import PROBLEM_JSON, Runtime, get_runtime
from cbec.shared.telemetry import tag_span
from cbec.tax_refund.data import TaxTablesHolder
from cbec.tax_refund.domain import DataFileError, ImportTaxPolicy, ImportTaxRefused, access
from cbec.tax_refund.settings import Settings
from cbec.tax_refund.unit_of_work import TaxWork
from cbec.tax_refund.use_cases import exports as export_cases
from cbec.tax_refund.use_cases import income_tax as income_tax_cases
from cbec.tax_refund.use_cases import queries
from cbec.tax_refund.use_cases import quota as quota_cases
from cbec.tax_refund.use_cases import tables as table_cases

router = APIRouter()
quota_router = APIRouter()
"""The buyers' quota reservations: the declaration service's calls, which only its caller tokens
reach (DECLARATION_TOKEN_PUBLIC_KEY)."""


def _decimal_text(value: Any) -> Any:
    # A JSON number arrives as a float and may already have lost digits: amounts are strings.
    if isinstance(value, float):
        raise ValueError('an amount is a decimal string, e.g. "110.00", not a JSON number')
    return value


DecimalText = Annotated[Decimal, BeforeValidator(_decimal_text)]


require_operator = require_role("operator")
require_officer = require_role(*sorted(access.OFFICERS))


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
CallerDep = Annotated[Caller, Depends(caller)]


def _policy(runtime: Runtime) -> ImportTaxPolicy:
    settings = runtime.settings
    assert isinstance(settings, Settings)
    return settings.import_tax_policy()


class ReservationIn(BaseModel):
    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "examples": [
                {
                    "invtNo": "43002026I000000001",
                    "orderNo": "IO202611220001",
                    "buyerIdNumber": "370102199001011234",
                    "amount": "110.00",
                    "singleItem": False,
                    "date": "2026-11-22",
                }
            ]
        },
    )
    invtNo: str = Field(min_length=1, max_length=20)
    orderNo: str = Field(min_length=1, max_length=60)
    buyerIdNumber: str = Field(min_length=1, max_length=60)
    amount: DecimalText = Field(gt=0, max_digits=18, decimal_places=5)
    singleItem: bool = False
    date: date


_REFUSED_EXAMPLE = {
    "type": "https://cbec.example/problems/import-tax-refused",
    "title": "import-tax-refused",
    "status": 409,
    "returnStatus": "-621018",
    "returnInfo": "taxPrice: -621018: the buyer's year already counts 25,900.00 CNY; ...",
    "detail": "taxPrice: -621018: the buyer's year already counts 25,900.00 CNY; ...",
    "violations": [],
}


def refused(refusal: ImportTaxRefused, status: int = 409) -> JSONResponse:
    """A refusal from the retail channel: problem+json with the customs receipt code."""
    body = ErrorReport.from_error(refusal).as_dict()
    body.update(
        status=status, returnStatus=str(refusal.return_status), returnInfo=refusal.return_info
    )
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


@quota_router.post(
    "/v1/import/quota/reservations",
    status_code=201,
    tags=["import"],
    responses={
        409: {
            "description": "over the limits (-621005 / -621018), or a different reservation",
            "content": {PROBLEM_JSON: {"example": _REFUSED_EXAMPLE}},
        }
    },
)
async def reserve(body: ReservationIn, runtime: RuntimeDep) -> Any:
    """Check the buyer's limits and reserve the list's dutiable value in the buyer's year."""
    tag_span(orderNo=body.orderNo, invtNo=body.invtNo)
    request = quota_cases.ReservationRequest(
        invt_no=body.invtNo,
        order_no=body.orderNo,
        buyer_id_number=body.buyerIdNumber,
        amount=body.amount,
        single_item=body.singleItem,
        on=body.date,
    )
    try:
        async with runtime.transaction() as session:
            reservation = await quota_cases.reserve(
                TaxWork(session, runtime.outbox), request, _policy(runtime)
            )
    except ImportTaxRefused as refusal:
        return refused(refusal)
    return reservation.as_json()


@quota_router.delete("/v1/import/quota/reservations/{invtNo}", status_code=204, tags=["import"])
async def cancel(invtNo: Annotated[str, Path(max_length=20)], runtime: RuntimeDep) -> Response:
    """Cancel a list's reservation (idempotent); a released list is withdrawn by revocation."""
    tag_span(invtNo=invtNo)
    async with runtime.transaction() as session:
        await quota_cases.cancel(TaxWork(session, runtime.outbox), invtNo, _policy(runtime))
    return Response(status_code=204)


@router.get("/v1/import/tax-bills/{invtNo}", tags=["import"])
async def tax_bill(
    invtNo: Annotated[str, Path(max_length=20)], runtime: RuntimeDep, who: CallerDep
) -> Any:
    """The electronic tax bill of an import list, with its lines (for the enterprises it
    names, officers and operators)."""
    tag_span(invtNo=invtNo)
    async with runtime.sessions() as session:
        return await queries.tax_bill(TaxWork(session, runtime.outbox), who, invtNo)


@router.get("/v1/import/quota/{buyerIdNumber}/{year}", tags=["import"])
async def quota(
    buyerIdNumber: Annotated[str, Path(max_length=60)],
    year: Annotated[int, Path(ge=2019, le=9999)],
    runtime: RuntimeDep,
    _who: Annotated[Caller, Depends(require_officer)],
) -> Any:
    """A buyer's calendar year: limit, counted amount, room, and each list's entry (officers
    and operators)."""
    async with runtime.sessions() as session:
        work = TaxWork(session, runtime.outbox)
        return await queries.buyer_year(work, buyerIdNumber, year, _policy(runtime))


class InvoiceLineIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    gnum: int = Field(ge=1, le=100)
    invoiceNo: str = Field(min_length=1, max_length=60)
    amount: DecimalText | None = Field(default=None, gt=0, max_digits=18, decimal_places=5)


class InvoicesIn(BaseModel):
    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "examples": [
                {
                    "invtNo": "43002026E000000003",
                    "lines": [{"gnum": 1, "invoiceNo": "37001234567890", "amount": "900.00"}],
                }
            ]
        },
    )
    invtNo: str = Field(min_length=1, max_length=20)
    lines: list[InvoiceLineIn] = Field(min_length=1, max_length=100)


@router.post("/v1/export/invoices", status_code=201, tags=["export"])
async def invoices(
    body: InvoicesIn,
    runtime: RuntimeDep,
    who: Annotated[Caller, Depends(require_party)],
) -> Any:
    """Register purchase invoices of export list lines: those lines take the export refund."""
    tag_span(invtNo=body.invtNo)
    party = who.party or ""
    async with runtime.transaction() as session:
        work = TaxWork(session, runtime.outbox)
        await export_cases.register_invoices(
            work,
            invt_no=body.invtNo,
            lines=[export_cases.InvoiceLine(li.gnum, li.invoiceNo, li.amount) for li in body.lines],
            party=party,
            tables=TaxTablesHolder.of(runtime).tables,
        )
        return await queries.invoices(work, body.invtNo, party)


@router.get("/v1/export/lists/{invtNo}", tags=["export"])
async def export_list(
    invtNo: Annotated[str, Path(max_length=20)], runtime: RuntimeDep, who: CallerDep
) -> Any:
    """The tax outcome of an export list: exemption and refund of each line, invoices (for its
    consignor, officers and operators)."""
    tag_span(invtNo=invtNo)
    async with runtime.sessions() as session:
        return await queries.export_outcome(TaxWork(session, runtime.outbox), who, invtNo)


@router.get("/v1/export/income-tax/{ebcCode}/{year}", tags=["export"])
async def income_tax(
    ebcCode: Annotated[str, Path(min_length=1, max_length=18)],
    year: Annotated[int, Path(ge=2000, le=9999)],
    runtime: RuntimeDep,
    who: CallerDep,
) -> Any:
    """The deemed corporate income tax statement of an enterprise's year (revenue × 4%), for
    the enterprise itself, officers and operators."""
    async with runtime.transaction() as session:
        return await income_tax_cases.statement(
            TaxWork(session, runtime.outbox), who, ebcCode, year, TaxTablesHolder.of(runtime).tables
        )


@router.get("/v1/tables", tags=["operations"])
async def tables(runtime: RuntimeDep) -> Any:
    """The data tables in use: their files and sizes."""
    return TaxTablesHolder.of(runtime).describe()


@router.post(
    "/v1/tables/reload",
    tags=["operations"],
    responses={422: {"description": "a malformed file; the last good tables stay"}},
)
async def reload_tables(
    runtime: RuntimeDep, _who: Annotated[Caller, Depends(require_operator)]
) -> Any:
    """Reload the data tables from their folder (operators); a bad file changes nothing."""
    holder = TaxTablesHolder.of(runtime)
    try:
        loaded = holder.load_again()
    except DataFileError as error:
        raise table_cases.reload_failure(error) from None
    async with runtime.transaction() as session:
        await table_cases.sync_zone_enterprises(TaxWork(session, runtime.outbox), loaded)
    holder.use(loaded)
    return holder.describe()
