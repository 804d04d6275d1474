"""One export B2C order's documents as its parties send them to the gateway (DOMAIN.md §2, §4,
§8), in the customs standard's field names: the JSON shape of each entity, or the CEB XML
message holding it.

    flow = ExportFlow.of(unique, parties)
    flow.order()                         # CEB303 Order           (e-commerce enterprise)
    flow.receipt_of_funds()              # CEB403 Receipts        (payment institution)
    flow.waybill()                       # CEB505 Logistics       (logistics enterprise)
    flow.inventory()                     # CEB603 Inventory       (e-commerce enterprise)
    flow.arrival(at) / master_bill(at) / departure(leave)   # CEB507 / CEB607 / CEB509
    message_xml("CEB303Message", [flow.order()], sender=parties.seller)

    answers = await file_documents(flow, seller=s, carrier=c, payer=p)   # through the gateway
    await wait_for_status(s, flow.order_no, RELEASED)
    answers |= await ship(flow, carrier=c)                              # arrival ... departure

The order agrees with its list, funds and waybill (the three-document check), and its goods are
on no risk list, so that the built-in customs rules release it (800) when screening selects
nothing at random (:data:`RULES`).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from cbec.gateway.client import AsyncGatewayClient
from cbec.gateway.routing import document_field
from cbec.shared.ceb import CebMessage, message_model, parse_message, to_xml
from tests.support import builders
from tests.support.waiting import eventually

CHINA = timezone(timedelta(hours=8))
XML = {"Content-Type": "application/xml"}
ACCEPTED, RELEASED, CLOSED = "2", "800", "899"
DECIDED = frozenset({RELEASED, CLOSED, "100", "300", "500"})
"""List statuses after the customs decision (DOMAIN.md §3)."""

RULES = """
# The example rules of the declaration service, without random selection for inspection: the
# flow must be released by the rules, not picked for an officer.
[three_document]
amount_tolerance = "0"
document_wait = "P3D"

[import_limits]
per_transaction = "5000"
annual = "26000"

[risk]
negative_list = ["3701999999"]
usual_prices = []
price_tolerance_factor = "3"
split_order_limit = "5000"
repeated_mismatch_threshold = 3
inspection_rate = "0"
selection_seed = "e2e"

[summary]
max_items_per_form = 50
deadline_day = 15
"""


def platform_env(folder: Path) -> dict[str, str]:
    """Settings of a platform that releases a consistent export order by its rules."""
    rules = folder / "declaration-rules.toml"
    rules.write_text(RULES, encoding="utf-8")
    return {"DECLARATION_RULES_FILE": str(rules), "CUSTOMS_ADAPTER": "rules"}


def guid() -> str:
    return str(uuid.uuid4()).upper()


def now() -> datetime:
    return datetime.now(CHINA)


def ceb_time(at: datetime) -> str:
    """yyyyMMddHHmmss in China time (``appTime``, ``leaveTime``)."""
    return at.astimezone(CHINA).strftime("%Y%m%d%H%M%S")


@dataclass(frozen=True)
class Parties:
    """Customs registration codes (10 characters) of the enterprises of one order."""

    seller: str  # e-commerce enterprise: ebcCode, and agentCode of its own list
    platform: str  # e-commerce platform: ebpCode
    carrier: str  # logistics enterprise: logisticsCode
    payer: str  # payment institution: payCode


@dataclass(frozen=True)
class Line:
    gnum: int
    item_no: str
    item_name: str
    gcode: str
    qty: Decimal
    price: Decimal

    @property
    def total(self) -> Decimal:
        return self.qty * self.price


LINES = (
    Line(1, "TEAPOT-01", "ceramic teapot", "6911101900", Decimal(2), Decimal(150)),
    Line(2, "CUP-01", "ceramic cup", "6912001000", Decimal(4), Decimal("25.5")),
)
CURRENCY = "142"
UNIT = "011"
DESTINATION = "502"  # United States (country table)
FREIGHT = Decimal(10)
PLATFORM_NAME = "Jinan cross-border platform"
SELLER_NAME = "Jinan ceramics e-commerce"
CARRIER_NAME = "Jinan cross-border logistics"


def _amount(value: Decimal) -> str:
    return format(value, "f")


@dataclass(frozen=True)
class ExportFlow:
    parties: Parties
    order_no: str
    cop_no: str
    logistics_no: str
    bill_no: str
    suffix: str

    @classmethod
    def of(cls, unique: str, parties: Parties) -> ExportFlow:
        tail = unique[-10:].upper()
        digits = f"{int(uuid.uuid5(uuid.NAMESPACE_OID, unique).hex[:12], 16) % 10**8:08d}"
        return cls(
            parties=parties,
            order_no=f"EO{tail}",
            cop_no=f"COP{tail}",
            logistics_no=f"SF{tail}",
            bill_no=f"999-{digits}",
            suffix=tail,
        )

    @property
    def goods_value(self) -> Decimal:
        return sum((line.total for line in LINES), Decimal(0))

    def order(self) -> dict[str, Any]:
        """CEB303 ``Order``: sent by the e-commerce enterprise."""
        p = self.parties
        return builders.export_order(
            app_time=ceb_time(now() - timedelta(minutes=30)),
            order_no=self.order_no,
            ebp_code=p.platform,
            ebp_name=PLATFORM_NAME,
            ebc_code=p.seller,
            ebc_name=SELLER_NAME,
            goods_value=_amount(self.goods_value),
            freight=_amount(FREIGHT),
            currency=CURRENCY,
            lines=[
                builders.order_line(
                    line.gnum,
                    item_no=line.item_no,
                    item_name=line.item_name,
                    unit=UNIT,
                    currency=CURRENCY,
                    qty=_amount(line.qty),
                    price=_amount(line.price),
                    total_price=_amount(line.total),
                )
                for line in LINES
            ],
        )

    def receipt_of_funds(self) -> dict[str, Any]:
        """CEB403 ``Receipts``: the payment institution received goodsValue + freight."""
        p = self.parties
        return builders.receipt_of_funds(
            app_time=ceb_time(now() - timedelta(minutes=30)),
            ebp_code=p.platform,
            ebp_name=PLATFORM_NAME,
            ebc_code=p.seller,
            ebc_name=SELLER_NAME,
            order_no=self.order_no,
            pay_code=p.payer,
            pay_no=f"PAY{self.suffix}",
            charge=_amount(self.goods_value + FREIGHT),
            currency=CURRENCY,
            accounting_date=ceb_time(now() - timedelta(minutes=20)),
        )

    def waybill(self) -> dict[str, Any]:
        """CEB505 ``Logistics``: the export waybill, sent by the logistics enterprise."""
        p = self.parties
        return builders.export_waybill(
            app_time=ceb_time(now() - timedelta(minutes=30)),
            logistics_code=p.carrier,
            logistics_name=CARRIER_NAME,
            logistics_no=self.logistics_no,
            freight=_amount(FREIGHT),
            currency=CURRENCY,
            gross_weight="3.2",
            goods_info="ceramics",
            ebc_code=p.seller,
            ebc_name=SELLER_NAME,
        )

    def inventory(self) -> dict[str, Any]:
        """CEB603 ``Inventory``: the export list, declared by the e-commerce enterprise."""
        p = self.parties
        return builders.export_inventory(
            app_time=ceb_time(now() - timedelta(minutes=30)),
            ebp_code=p.platform,
            ebp_name=PLATFORM_NAME,
            order_no=self.order_no,
            logistics_code=p.carrier,
            logistics_name=CARRIER_NAME,
            logistics_no=self.logistics_no,
            cop_no=self.cop_no,
            ie_date=f"{now():%Y%m%d}",
            agent_code=p.seller,
            agent_name=SELLER_NAME,
            ebc_code=p.seller,
            ebc_name=SELLER_NAME,
            country=DESTINATION,
            freight=_amount(FREIGHT),
            currency=CURRENCY,
            gross_weight="3.2",
            net_weight="2.8",
            lines=[
                builders.inventory_line(
                    line.gnum,
                    item_no=line.item_no,
                    item_name=line.item_name,
                    gcode=line.gcode,
                    gname=line.item_name,
                    country=DESTINATION,
                    currency=CURRENCY,
                    qty=_amount(line.qty),
                    unit=UNIT,
                    price=_amount(line.price),
                    total_price=_amount(line.total),
                )
                for line in LINES
            ],
        )

    # -- the goods leave (DOMAIN.md §8) ------------------------------------------------------
    def _movement_head(self, cop_no: str, at: datetime) -> dict[str, Any]:
        return builders.movement_head(
            app_time=ceb_time(at),
            cop_no=cop_no,
            logistics_code=self.parties.carrier,
            logistics_name=CARRIER_NAME,
        )

    def arrival(self, at: datetime) -> dict[str, Any]:
        """CEB507 ``Arrival``: the parcel arrived at the supervised site at ``at``."""
        return builders.arrival(
            self._movement_head(f"ARR{self.suffix}", at),
            [self.logistics_no],
            operator_code=self.parties.carrier,
            domestic_traf_no="LU-A12345",
        )

    def master_bill(self, at: datetime) -> dict[str, Any]:
        """CEB607 ``WayBill``: the parcel linked to the flight's master bill."""
        return builders.master_bill(
            self._movement_head(f"WB{self.suffix}", at),
            [self.logistics_no],
            agent_code=self.parties.carrier,
            agent_name=CARRIER_NAME,
            bill_no=self.bill_no,
        )

    def departure(self, leave: datetime) -> dict[str, Any]:
        """CEB509 ``Departure``: the flight left at ``leave``."""
        return builders.departure(
            self._movement_head(f"DEP{self.suffix}", leave),
            [self.logistics_no],
            billNo=self.bill_no,
            leave_time=ceb_time(leave),
        )


def message_xml(message_type: str, documents: list[dict[str, Any]], *, sender: str) -> bytes:
    """The CEB business message holding ``documents``, as the standard's XML, sent by
    ``sender`` (its ``BaseTransfer/copCode``)."""
    model = message_model(message_type)
    field = document_field(message_type)
    message = model.model_validate(
        {
            "guid": guid(),
            "version": "1.0",
            field: documents,
            "BaseTransfer": {
                "copCode": sender,
                "copName": "enterprise",
                "dxpMode": "DXP",
                "dxpId": f"DXPENT{sender}",
            },
        }
    )
    return to_xml(message)


# -- through the gateway ----------------------------------------------------------------------


def json_receipt(response: httpx.Response) -> dict[str, Any]:
    """The one receipt of a JSON submission."""
    assert response.status_code == 200, response.text
    (receipt,) = response.json()["receipts"]
    assert isinstance(receipt, dict)
    return receipt


def xml_receipts(response: httpx.Response, receipt_type: str) -> list[Any]:
    """The receipts of the CEB receipt message answering an XML submission."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml"), response.text
    message: CebMessage = parse_message(response.content)
    assert message.message_type() == receipt_type
    field = next(n for n in type(message).xml_spec.children if n.endswith("Return"))
    receipts: list[Any] = getattr(message, field)
    return receipts


async def file_documents(
    flow: ExportFlow,
    *,
    seller: AsyncGatewayClient,
    carrier: AsyncGatewayClient,
    payer: AsyncGatewayClient,
) -> dict[str, Any]:
    """The order (CEB303 XML) and the list (JSON) from the e-commerce enterprise, the waybill
    (CEB505 XML) from the logistics company, the receipt of funds (CEB403 XML) from the payment
    institution; each accepted (2). The receipts, by document."""
    p = flow.parties
    answers: dict[str, Any] = {}
    xml = message_xml("CEB303Message", [flow.order()], sender=p.seller)
    (order,) = xml_receipts(
        await seller.post("/v1/messages", content=xml, headers=XML), "CEB304Message"
    )
    assert (order.orderNo, order.returnStatus) == (flow.order_no, ACCEPTED), order.returnInfo
    answers["order"] = order

    listed = json_receipt(await seller.post("/v1/export/inventories", json=flow.inventory()))
    assert (listed["copNo"], listed["returnStatus"]) == (flow.cop_no, ACCEPTED), listed
    answers["list"] = listed

    xml = message_xml("CEB505Message", [flow.waybill()], sender=p.carrier)
    (waybill,) = xml_receipts(
        await carrier.post("/v1/messages", content=xml, headers=XML), "CEB506Message"
    )
    assert (waybill.logisticsNo, waybill.returnStatus) == (flow.logistics_no, ACCEPTED)
    answers["waybill"] = waybill

    xml = message_xml("CEB403Message", [flow.receipt_of_funds()], sender=p.payer)
    (funds,) = xml_receipts(
        await payer.post("/v1/messages", content=xml, headers=XML), "CEB404Message"
    )
    assert (funds.orderNo, funds.returnStatus) == (flow.order_no, ACCEPTED), funds.returnInfo
    answers["funds"] = funds
    return answers


async def order_view(client: AsyncGatewayClient, order_no: str) -> dict[str, Any]:
    """The one-stop view of the order, or {} while the gateway does not know it."""
    response = await client.get(f"/v1/orders/{order_no}")
    view: dict[str, Any] = response.json() if response.status_code == 200 else {}
    return view


async def wait_for_status(
    client: AsyncGatewayClient, order_no: str, statuses: frozenset[str] | str, timeout: float = 90
) -> dict[str, Any]:
    """The one-stop view once the order's status is one of ``statuses``."""
    wanted = frozenset({statuses}) if isinstance(statuses, str) else statuses
    return await eventually(
        lambda: order_view(client, order_no),
        until=lambda v: v.get("status") in wanted,
        timeout=timeout,
        interval=0.1,
        what=f"{order_no} at status {sorted(wanted)}",
    )


async def ship(flow: ExportFlow, *, carrier: AsyncGatewayClient) -> dict[str, Any]:
    """The released parcel arrives at the supervised site (CEB507), is linked to the flight's
    master bill (CEB607) and leaves (CEB509), each accepted (2). Logistics learns of the
    release from the declaration's event: until it has, it refuses the link ("the parcel's
    inventory list is not released") and the carrier sends it again, as an ERP would."""
    arrived_at = now() - timedelta(minutes=10)
    answers: dict[str, Any] = {}
    arrival = json_receipt(await carrier.post("/v1/export/arrivals", json=flow.arrival(arrived_at)))
    assert arrival["returnStatus"] == ACCEPTED, arrival
    answers["arrival"] = arrival

    link = flow.master_bill(arrived_at + timedelta(minutes=5))

    async def link_master_bill() -> dict[str, Any]:
        return json_receipt(await carrier.post("/v1/export/master-bills", json=link))

    linked = await eventually(
        link_master_bill,
        until=lambda r: r["returnStatus"] == ACCEPTED or "not released" not in r["returnInfo"],
        timeout=60,
        interval=0.2,
        what="the master bill linked",
    )
    assert linked["returnStatus"] == ACCEPTED, linked
    answers["master_bill"] = linked

    leave = arrived_at + timedelta(minutes=9)
    # The departure as the standard's XML (CEB509): its receipt message (CEB510) carries the
    # platform's pre-entry number.
    xml = message_xml("CEB509Message", [flow.departure(leave)], sender=flow.parties.carrier)
    (departed,) = xml_receipts(
        await carrier.post("/v1/messages", content=xml, headers=XML), "CEB510Message"
    )
    assert departed.returnStatus == ACCEPTED, departed.returnInfo
    assert re.fullmatch(r"B\d{8}5\d{8}", departed.preNo), departed.preNo
    answers["departure"] = departed
    return answers
