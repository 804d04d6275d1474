"""HTTP API of the logistics service: documents in the customs standard's JSON, receipts out.

A request body is one document (the standard's entity, e.g. ``{"ArrivalHead": {...},
"ArrivalList": [...]}``) or a JSON array of up to 100. A body the schema refuses is answered 422
naming each field; a document that breaks a business rule gets its own receipt (status 100, every
failed rule in ``returnInfo``) while the other documents of the batch are filed. The caller is
the one the gateway's caller token names (:mod:`cbec.shared.callers`). Whatever the gateway
checked, the service decides on the object (:mod:`cbec.logistics.domain.access`): a document
is filed by an enterprise it names, changed or deleted only by the one that filed it (-501010
otherwise), a parcel moved only by its logistics enterprise; a parcel or a warehouse is read
only by the enterprises its documents name, customs officers and operators (404 for anyone
else).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from cbec.logistics.domain import ParcelKey, parse_ceb_time
from cbec.logistics.unit_of_work import LogisticsWork
from cbec.logistics.use_cases import movements, parcels, returns, warehouse, waybills
from cbec.logistics.use_cases.documents import DocumentKind, submit
from cbec.shared.callers import Caller, caller, require_party, require_role
from cbec.shared.ceb import export_models, import_models
from cbec.shared.clock import china_now
from cbec.shared.errors import InvalidInput, Violation
from cbec.shared.service import Runtime, get_runtime

router = APIRouter()

MAX_DOCUMENTS = 100
OPERATOR_ROLES = frozenset({"operator", "officer"})


filer = require_party
operator = require_role(*OPERATOR_ROLES)


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
CallerDep = Annotated[Caller, Depends(caller)]
FilerDep = Annotated[Caller, Depends(filer)]


class Receipts(BaseModel):
    """One receipt per document, in the order sent."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "receipts": [
                        {
                            "guid": "4CDE1CFD-EDED-46B1-946C-B8022E42FC94",
                            "logisticsCode": "3702980002",
                            "logisticsNo": "SF1234567890",
                            "returnStatus": "2",
                            "returnTime": "20261122080500123",
                            "returnInfo": "waybill SF1234567890 accepted",
                        }
                    ]
                }
            ]
        }
    )
    receipts: list[dict[str, Any]]


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        # Numbers stay decimal: 0.1 is read as Decimal("0.1"), never as a binary float.
        return json.loads(raw, parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidInput(
            [Violation(field="<body>", rule=f"the body must be JSON: {error}")]
        ) from None


def _violations(error: ValidationError, prefix: str) -> list[Violation]:
    out = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"])
        field = f"{prefix}.{where}" if prefix and where else prefix or where or "<body>"
        out.append(Violation(field=field, rule=item["msg"]))
    return out


async def read_documents(request: Request, model: type[BaseModel]) -> list[dict[str, Any]]:
    """One document or an array of up to 100, each validated with the standard's model."""
    body = await _json_body(request)
    single = not isinstance(body, list)
    items = [body] if single else body
    if not items or len(items) > MAX_DOCUMENTS:
        raise InvalidInput(
            [
                Violation(
                    field="<body>",
                    rule=f"one document or an array of 1 to {MAX_DOCUMENTS} documents",
                    value=len(items),
                )
            ]
        )
    violations: list[Violation] = []
    documents: list[dict[str, Any]] = []
    for position, item in enumerate(items):
        try:
            document = model.model_validate(item)
        except ValidationError as error:
            violations.extend(_violations(error, "" if single else f"[{position}]"))
            continue
        documents.append(document.model_dump(by_alias=True, exclude_none=True))
    if violations:
        raise InvalidInput(violations)
    return documents


def _request_body(entity: str) -> dict[str, Any]:
    schema = {
        "description": f"one {entity} document, or an array of up to {MAX_DOCUMENTS}",
        "oneOf": [
            {"type": "object"},
            {"type": "array", "items": {"type": "object"}, "maxItems": MAX_DOCUMENTS},
        ],
    }
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


_PROBLEM = {"description": "the body breaks the schema: every field and rule is named"}


def _document_route(
    path: str, model: type[BaseModel], kind: DocumentKind[Any], doc: str, tag: str
) -> None:
    async def endpoint(request: Request, runtime: RuntimeDep, who: FilerDep) -> Receipts:
        documents = await read_documents(request, model)
        return Receipts(receipts=await submit(runtime, kind, documents, who))

    endpoint.__doc__ = doc
    router.add_api_route(
        path,
        endpoint,
        methods=["POST"],
        response_model=Receipts,
        tags=[tag],
        name=f"{kind.code.lower()}_{path.rsplit('/', 1)[-1]}",
        description=doc,
        openapi_extra=_request_body(f"{kind.code} {model.__name__}"),
        responses={422: _PROBLEM},
    )


_document_route(
    "/v1/export/waybills",
    export_models.Logistics,
    waybills.EXPORT_WAYBILL,
    "File, change or delete export waybills (CEB505 Logistics).",
    "export",
)
_document_route(
    "/v1/import/waybills",
    import_models.Logistics,
    waybills.IMPORT_WAYBILL,
    "File, change or delete import waybills (CEB511 Logistics).",
    "import",
)
_document_route(
    "/v1/export/arrivals",
    export_models.Arrival,
    movements.ARRIVAL,
    "Report parcels arrived at the supervised site (CEB507 Arrival; split parts in any order).",
    "export",
)
_document_route(
    "/v1/export/master-bills",
    export_models.WayBill,
    movements.MASTER_BILL,
    "Link parcels to a flight or vessel bill (CEB607 WayBill; appType 3 unlinks).",
    "export",
)
_document_route(
    "/v1/export/departures",
    export_models.Departure,
    movements.DEPARTURE,
    "Report parcels that left the country (CEB509 Departure).",
    "export",
)
_document_route(
    "/v1/import/site-entries",
    import_models.Delivery,
    movements.SITE_ENTRY,
    "Report import parcels that entered the supervised site (CEB711 Delivery).",
    "import",
)
_document_route(
    "/v1/import/waybill-statuses",
    import_models.LogisticsStatus,
    movements.WAYBILL_STATUS,
    "Report import parcels signed for by the buyer (CEB513 LogisticsStatus, status S).",
    "import",
)
_document_route(
    "/v1/export/returns",
    export_models.InvtRefund,
    returns.EXPORT_RETURN,
    "Apply for the return of all or part of an export list's goods (CEB213 InvtRefund).",
    "returns",
)
_document_route(
    "/v1/export/return-tallies",
    export_models.InvtRefundDetail,
    returns.RETURN_TALLY,
    "Report a returned export parcel tallied in at the site (CEB215 InvtRefundDetail).",
    "returns",
)
_document_route(
    "/v1/import/returns",
    import_models.InvtRefund,
    returns.IMPORT_RETURN,
    "Apply for the return of an import list's goods (CEB625 InvtRefund).",
    "returns",
)


class ImportReturnReceived(BaseModel):
    """The goods of an accepted import return are back at the supervised site."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "invtNo": "43002026I000000001",
                    "copNo": "IRET20261130001",
                    "receivedAt": "20261210090000",
                }
            ]
        },
    )
    invtNo: str = Field(min_length=1, max_length=18)
    copNo: str = Field(min_length=1, max_length=36, description="the return's copNo (or guid)")
    receivedAt: str = Field(description="yyyyMMddHHmmss, China time")

    @field_validator("receivedAt")
    @classmethod
    def _time(cls, value: str) -> str:
        parse_ceb_time(value)
        return value


_document_route(
    "/v1/import/return-receipts",
    ImportReturnReceived,
    returns.IMPORT_RETURN_RECEIPT,
    "Report the goods of an import return back at the site (within 45 days or not).",
    "returns",
)


@router.get("/v1/parcels/{logisticsCode}/{logisticsNo}", tags=["parcels"])
async def get_parcel(
    runtime: RuntimeDep,
    who: CallerDep,
    logisticsCode: Annotated[str, Path(max_length=18)],
    logisticsNo: Annotated[str, Path(max_length=60)],
) -> dict[str, Any]:
    """The timeline of a parcel: its state and every movement (for the enterprises its documents
    name, customs officers and operators)."""
    async with LogisticsWork.of(runtime) as work:
        return await parcels.parcel_timeline(work, who, ParcelKey(logisticsCode, logisticsNo))


class SaleLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    itemNo: str = Field(min_length=1, max_length=60, description="the SKU")
    qty: Decimal = Field(gt=0, max_digits=19, decimal_places=5)


class SaleIn(BaseModel):
    """A sale out of an overseas warehouse, against the booking (orderType W) of the goods."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "saleNo": "S202611220001",
                    "bookingNo": "W202611220001",
                    "lines": [{"itemNo": "SKU-TEAPOT", "qty": "2"}],
                }
            ]
        },
    )
    saleNo: str = Field(min_length=1, max_length=60)
    bookingNo: str = Field(min_length=1, max_length=60)
    lines: list[SaleLineIn] = Field(min_length=1, max_length=100)


WarehousePath = Annotated[str, Path(min_length=1, max_length=40)]
EbcPath = Annotated[str, Path(min_length=1, max_length=18)]


@router.post(
    "/v1/warehouses/{ebcCode}/{warehouseCode}/sales",
    tags=["warehouses"],
    response_model=Receipts,
    openapi_extra=_request_body("sale"),
    responses={422: _PROBLEM},
)
async def post_sales(
    request: Request,
    runtime: RuntimeDep,
    who: FilerDep,
    ebcCode: EbcPath,
    warehouseCode: WarehousePath,
) -> Receipts:
    """Record sales out of an overseas warehouse (9810); a sale beyond stock is refused."""
    documents = [
        {**document, "ebcCode": ebcCode, "warehouseCode": warehouseCode}
        for document in await read_documents(request, SaleIn)
    ]
    return Receipts(receipts=await submit(runtime, warehouse.SALE, documents, who))


class BookingAssignment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    orderNo: str = Field(min_length=1, max_length=60, description="the booking (orderType W)")


@router.post("/v1/warehouses/{ebcCode}/{warehouseCode}/bookings", tags=["warehouses"])
async def post_booking(
    assignment: BookingAssignment,
    runtime: RuntimeDep,
    who: FilerDep,
    ebcCode: EbcPath,
    warehouseCode: WarehousePath,
) -> dict[str, Any]:
    """Name the overseas warehouse a booking's goods enter when they depart (its seller)."""
    async with LogisticsWork.of(runtime) as work:
        return await warehouse.assign_booking(work, who, ebcCode, warehouseCode, assignment.orderNo)


@router.get("/v1/warehouses/{ebcCode}/{warehouseCode}/stock", tags=["warehouses"])
async def get_stock(
    runtime: RuntimeDep,
    who: CallerDep,
    ebcCode: EbcPath,
    warehouseCode: WarehousePath,
) -> dict[str, Any]:
    """Stock of an overseas warehouse per SKU and per booking (its seller, customs officers
    and operators)."""
    async with LogisticsWork.of(runtime) as work:
        return await warehouse.stock_report(work, who, ebcCode, warehouseCode, china_now())


@router.post("/v1/maintenance/overdue-parcels", tags=["operations"])
async def post_overdue_parcels(
    runtime: RuntimeDep, _who: Annotated[Caller, Depends(operator)]
) -> dict[str, Any]:
    """Report released export parcels not departed within PARCEL_DEPARTURE_WAIT (operators)."""
    reported = await parcels.check_overdue(runtime)
    return {"reported": len(reported), "parcels": reported}
