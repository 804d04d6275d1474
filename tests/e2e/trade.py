"""A trading day's orders and the documents their parties send to the gateway (DOMAIN.md §2,
§4, §8), in the customs standard's JSON shapes, and what the rules make of them (§5, §6).

    seller = Seller("3702960001", "Jinan ceramics e-commerce")
    order = ExportOrder("EA9610001", seller, "9610", (Line(TSHIRT, 2),), country="502")
    order.order(), order.receipt_of_funds(), order.waybill()   # CEB303, CEB403, CEB505
    order.inventory()                                          # CEB603
    arrival("ARR1", [order], at)     # CEB507 of a batch of parcels; master_bill, departure
    purchase = ImportOrder("IB9610001", seller, "9610", (Line(CREAM, 1),), buyer=BUYERS[0])
    purchase.order(), purchase.payment(), purchase.waybill()   # CEB311, CEB411, CEB511
    purchase.inventory()                                       # CEB621
    purchase.expected_tax()          # the CBEC retail tax of each line (§6.4)

Every document agrees with the others of its order (the three-document check), so the built-in
customs rules release each list unless a risk rule sends it to an officer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from cbec.gateway.routing import document_field
from cbec.shared.ceb import CebMessage, message_model, parse_message, to_xml
from tests.support import builders

CHINA = timezone(timedelta(hours=8))
CNY = "142"
CUSTOMS = builders.CUSTOMS  # 济南海关: a customs office of the pilot zone (zone_customs.csv)
FEN = Decimal("0.01")

PLATFORM = ("3702960100", "Jinan cross-border platform")
CARRIER = ("3702980002", "Jinan cross-border logistics")
PAYER = ("4403169D3W", "Example payment institution")
BROKER = ("3702980003", "Jinan customs broker")


guid = builders.new_guid
ceb_time = builders.ceb_time
amount = builders.amount


def now() -> datetime:
    return datetime.now(CHINA)


def to_fen(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def _app_time() -> str:
    """Documents are filed half an hour before they are sent."""
    return ceb_time(now() - timedelta(minutes=30))


def message_xml(message_type: str, documents: Sequence[dict[str, Any]], *, sender: str) -> bytes:
    """The CEB business message holding ``documents`` in the standard's XML, from ``sender``;
    a message whose document is not repeated (CEB711 ``Delivery``) takes exactly one."""
    model = message_model(message_type)
    name = document_field(message_type)
    repeated = model.xml_spec.children[name] is not model.model_fields[name].annotation
    if not repeated and len(documents) != 1:
        raise ValueError(f"{message_type} holds exactly one {name}")
    message = model.model_validate(
        {
            "guid": guid(),
            "version": "1.0",
            name: list(documents) if repeated else documents[0],
            "BaseTransfer": {
                "copCode": sender,
                "copName": "enterprise",
                "dxpMode": "DXP",
                "dxpId": f"DXPENT{sender}",
            },
        }
    )
    return to_xml(message)


def receipt_documents(xml: bytes, receipt_type: str) -> list[Any]:
    """The receipt documents of a CEB receipt message (CEB304Message ...)."""
    message: CebMessage = parse_message(xml)
    assert message.message_type() == receipt_type, message.message_type()
    name = next(n for n in type(message).xml_spec.children if n.endswith("Return"))
    found: list[Any] = getattr(message, name)
    return found


# -- goods --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Goods:
    """A SKU with its 10-digit HS code and its tax rates (the example table hs_rates.csv)."""

    item_no: str
    name: str
    gcode: str
    price: Decimal
    unit: str = "011"
    vat: Decimal = Decimal("0.13")
    consumption: Decimal = Decimal(0)
    refund_rate: Decimal = Decimal("0.13")


TSHIRT = Goods("TEE-001", "cotton T-shirt", "6109100022", Decimal(60))
SHOES = Goods("SHOE-002", "leather shoes", "6403990090", Decimal(320))
FLASK = Goods("FLASK-003", "vacuum flask", "9617001100", Decimal(60))
KETTLE = Goods("KETTLE-004", "electric kettle", "8516109000", Decimal(150))
PHONE = Goods("PHONE-005", "mobile phone", "8517130000", Decimal(900))
LOG = Goods("LOG-006", "rosewood log", "4403990090", Decimal(200))
"""HS 4403 (logs): a category whose export refund or exemption was cancelled (excluded_hs.csv)."""

CREAM = Goods("CREAM-101", "face cream", "3304990099", Decimal(100), consumption=Decimal("0.15"))
MILK = Goods("MILK-102", "infant formula", "1901101000", Decimal(240))
HEATER = Goods("HEAT-103", "hair dryer", "8516310000", Decimal(180))
SNACK = Goods("SNACK-104", "protein bar", "2106909090", Decimal(45))


@dataclass(frozen=True)
class Line:
    goods: Goods
    qty: Decimal
    price: Decimal | None = None
    """A price other than the SKU's (a price far from the usual one)."""

    @property
    def unit_price(self) -> Decimal:
        return self.price if self.price is not None else self.goods.price

    @property
    def total(self) -> Decimal:
        return self.qty * self.unit_price


def _goods_value(lines: Sequence[Line]) -> Decimal:
    return sum((line.total for line in lines), Decimal(0))


# -- parties ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seller:
    """An e-commerce enterprise of the pilot zone (tax table zone_enterprises.csv)."""

    code: str
    name: str
    small_low_profit: bool = False


@dataclass(frozen=True)
class Buyer:
    id_number: str
    name: str
    telephone: str
    address: str


BUYERS = (
    Buyer("370102199001011234", "Zhang San", "13800000001", "1 Jingshi Road, Jinan"),
    Buyer("370102199202022345", "Li Si", "13800000002", "2 Quancheng Road, Jinan"),
    Buyer("370103198803033456", "Wang Fang", "13800000003", "3 Heping Road, Jinan"),
    Buyer("370104199504044567", "Zhao Min", "13800000004", "4 Lishan Road, Jinan"),
    Buyer("370105199605055678", "Chen Jie", "13800000005", "5 Huayuan Road, Jinan"),
    Buyer("37010619970606678X", "Liu Yang", "13800000006", "6 Beiyuan Street, Jinan"),
    Buyer("370112198507077890", "Sun Li", "13800000007", "7 Gongye Road, Jinan"),
)


# -- export -------------------------------------------------------------------------------------

ORDER_TYPES = {"9610": "E", "9710": "B", "9810": "W"}
"""Export ``orderType`` per trade mode: B2C, B2B, overseas-warehouse booking (DOMAIN.md §1)."""


@dataclass(frozen=True)
class ExportOrder:
    """An export order (9610 B2C, 9710 B2B, 9810 booking of an overseas warehouse) of one
    seller, its receipt of funds, its waybill and its list; the list declares a consolidated
    summary (statisticsFlag B) and names the seller as its own declaring agent."""

    order_no: str
    seller: Seller
    mode: str
    lines: tuple[Line, ...]
    country: str = "502"
    freight: Decimal = Decimal(10)
    warehouse: str | None = None
    """9810: the overseas warehouse the booking's goods enter."""
    invoiced: bool = False
    """The seller holds purchase invoices of the goods: the lines take the export refund."""

    @property
    def order_type(self) -> str:
        return ORDER_TYPES[self.mode]

    @property
    def cop_no(self) -> str:
        return f"C{self.order_no}"

    @property
    def logistics_no(self) -> str:
        return f"SF{self.order_no}"

    @property
    def goods_value(self) -> Decimal:
        return _goods_value(self.lines)

    @property
    def charge(self) -> Decimal:
        """What the seller receives: goodsValue + freight (DOMAIN.md §4)."""
        return self.goods_value + self.freight

    @property
    def gross_weight(self) -> Decimal:
        return Decimal("0.5") * sum((line.qty for line in self.lines), Decimal(0))

    @property
    def net_weight(self) -> Decimal:
        return self.gross_weight * Decimal("0.8")

    def _names(self) -> dict[str, str]:
        """The platform and the seller, as the builders take them."""
        return {
            "ebp_code": PLATFORM[0],
            "ebp_name": PLATFORM[1],
            "ebc_code": self.seller.code,
            "ebc_name": self.seller.name,
        }

    def order(self) -> dict[str, Any]:
        """CEB303 ``Order``, sent by the seller."""
        return builders.export_order(
            app_time=_app_time(),
            order_no=self.order_no,
            **self._names(),
            goods_value=amount(self.goods_value),
            freight=amount(self.freight),
            currency=CNY,
            lines=[
                builders.order_line(
                    gnum,
                    item_no=line.goods.item_no,
                    item_name=line.goods.name,
                    unit=line.goods.unit,
                    currency=CNY,
                    qty=amount(line.qty),
                    price=amount(line.unit_price),
                    total_price=amount(line.total),
                )
                for gnum, line in enumerate(self.lines, start=1)
            ],
            orderType=self.order_type,
        )

    def receipt_of_funds(self) -> dict[str, Any]:
        """CEB403 ``Receipts``, sent by the payment institution."""
        return builders.receipt_of_funds(
            app_time=_app_time(),
            **self._names(),
            order_no=self.order_no,
            pay_code=PAYER[0],
            pay_name=PAYER[1],
            pay_no=f"PN{self.order_no}",
            charge=amount(self.charge),
            currency=CNY,
            accounting_date=ceb_time(now() - timedelta(minutes=20)),
        )

    def waybill(self) -> dict[str, Any]:
        """CEB505 ``Logistics``, sent by the logistics enterprise."""
        return builders.export_waybill(
            app_time=_app_time(),
            logistics_code=CARRIER[0],
            logistics_name=CARRIER[1],
            logistics_no=self.logistics_no,
            freight=amount(self.freight),
            currency=CNY,
            gross_weight=amount(self.gross_weight),
            goods_info=", ".join(line.goods.name for line in self.lines),
            ebc_code=self.seller.code,
            ebc_name=self.seller.name,
        )

    def inventory(self) -> dict[str, Any]:
        """CEB603 ``Inventory``, declared by the seller."""
        return builders.export_inventory(
            app_time=_app_time(),
            **self._names(),
            order_no=self.order_no,
            logistics_code=CARRIER[0],
            logistics_name=CARRIER[1],
            logistics_no=self.logistics_no,
            cop_no=self.cop_no,
            ie_date=f"{now():%Y%m%d}",
            agent_code=self.seller.code,
            agent_name=self.seller.name,
            country=self.country,
            freight=amount(self.freight),
            currency=CNY,
            gross_weight=amount(self.gross_weight),
            net_weight=amount(self.net_weight),
            lines=[
                builders.inventory_line(
                    gnum,
                    item_no=line.goods.item_no,
                    item_name=line.goods.name,
                    gcode=line.goods.gcode,
                    gname=line.goods.name,
                    country=self.country,
                    currency=CNY,
                    qty=amount(line.qty),
                    unit=line.goods.unit,
                    price=amount(line.unit_price),
                    total_price=amount(line.total),
                )
                for gnum, line in enumerate(self.lines, start=1)
            ],
            tradeMode=self.mode,
        )

    def invoices(self, invt_no: str) -> dict[str, Any]:
        """The purchase invoices of every line of the released list (POST /v1/export/invoices)."""
        return {
            "invtNo": invt_no,
            "lines": [
                {"gnum": gnum, "invoiceNo": f"INV{self.order_no}{gnum}", "amount": "1.00"}
                for gnum, _ in enumerate(self.lines, start=1)
            ],
        }

    def exempt_lines(self) -> list[tuple[int, Line]]:
        """The lines registered for the no-invoice exemption (§6.1): none when invoiced; a
        line whose HS code is excluded gets a refusal instead."""
        if self.invoiced:
            return []
        return [
            (gnum, line)
            for gnum, line in enumerate(self.lines, start=1)
            if not line.goods.gcode.startswith(EXCLUDED_HS)
        ]

    def expected_refund(self) -> Decimal:
        """The export refund of an invoiced order: FOB (CNY) × refund rate per line (§6.3)."""
        if not self.invoiced:
            return Decimal(0)
        return sum(
            (to_fen(line.total * line.goods.refund_rate) for line in self.lines), Decimal("0.00")
        )


EXCLUDED_HS = ("2601", "4403")
"""The example table excluded_hs.csv: goods without export refund or exemption."""


def _movement_head(cop_no: str, at: datetime) -> dict[str, Any]:
    return builders.movement_head(
        cop_no=cop_no, logistics_code=CARRIER[0], logistics_name=CARRIER[1], app_time=ceb_time(at)
    )


def _numbers(orders: Iterable[ExportOrder | ImportOrder]) -> list[str]:
    return [order.logistics_no for order in orders]


def arrival(cop_no: str, orders: Sequence[ExportOrder], at: datetime) -> dict[str, Any]:
    """CEB507 ``Arrival``: a truck's parcels arrived at the airport's supervised site."""
    return builders.arrival(
        _movement_head(cop_no, at),
        _numbers(orders),
        operator_code=CARRIER[0],
        domestic_traf_no="LU-A12345",
    )


def master_bill(
    cop_no: str, bill_no: str, flight: str, orders: Sequence[ExportOrder], at: datetime
) -> dict[str, Any]:
    """CEB607 ``WayBill``: the parcels linked to the flight's master bill."""
    weight = sum((o.gross_weight for o in orders), Decimal(0))
    return builders.master_bill(
        _movement_head(cop_no, at),
        _numbers(orders),
        agent_code=CARRIER[0],
        agent_name=CARRIER[1],
        flight=flight,
        bill_no=bill_no,
        gross_weight=amount(weight),
    )


def departure(
    cop_no: str, bill_no: str, flight: str, orders: Sequence[ExportOrder], leave: datetime
) -> dict[str, Any]:
    """CEB509 ``Departure``: the flight left."""
    return builders.departure(
        _movement_head(cop_no, leave),
        _numbers(orders),
        flight=flight,
        billNo=bill_no,
        leave_time=ceb_time(leave),
    )


@dataclass(frozen=True)
class ExportReturn:
    """A return of (part of) an export list's goods: CEB213 by the seller, CEB215 by the
    site operator when the parcel is tallied in (海关总署公告2020年第44号)."""

    order: ExportOrder
    lines: tuple[tuple[int, Decimal], ...]
    """(gnum, quantity returned)."""

    @property
    def return_no(self) -> str:
        return f"RT{self.order.order_no}"

    @property
    def whole(self) -> bool:
        declared = {gnum: line.qty for gnum, line in enumerate(self.order.lines, start=1)}
        return dict(self.lines) == declared

    @property
    def value(self) -> Decimal:
        return sum(
            (self.order.lines[gnum - 1].unit_price * qty for gnum, qty in self.lines),
            Decimal(0),
        )

    def application(self, invt_no: str, at: datetime) -> dict[str, Any]:
        order = self.order
        lines = []
        for gnum, qty in self.lines:
            goods = order.lines[gnum - 1].goods
            lines.append(
                builders.export_return_line(
                    gnum, gcode=goods.gcode, gname=goods.name, qty=amount(qty), unit=goods.unit
                )
            )
        return builders.export_return(
            app_time=ceb_time(at),
            **order._names(),
            return_no=self.return_no,
            logistics_code=CARRIER[0],
            logistics_name=CARRIER[1],
            co_el_no=f"CE{order.order_no}",
            invt_no=invt_no,
            trade_mode=order.mode,
            agent_code=order.seller.code,
            agent_name=order.seller.name,
            reason="the buyer sent the goods back",
            country=order.country,
            lines=lines,
        )

    def tally(self, invt_no: str, at: datetime) -> dict[str, Any]:
        return builders.return_tally(
            app_time=ceb_time(at),
            operator_code=CARRIER[0],
            logistics_code=CARRIER[0],
            logistics_name=CARRIER[1],
            return_no=self.return_no,
            invt_no=invt_no,
            co_el_no=f"CE{self.order.order_no}",
        )


@dataclass(frozen=True)
class Sale:
    """A sale out of an overseas warehouse against the booking that brought the goods in."""

    sale_no: str
    booking: ExportOrder
    lines: tuple[tuple[Goods, Decimal], ...]

    def document(self) -> dict[str, Any]:
        return {
            "saleNo": self.sale_no,
            "bookingNo": self.booking.order_no,
            "lines": [{"itemNo": goods.item_no, "qty": amount(qty)} for goods, qty in self.lines],
        }


# -- import -------------------------------------------------------------------------------------

BONDED_AREA = ("4301", "Jinan comprehensive bonded zone")
BONDED_EMS = "T4301W000001"


@dataclass(frozen=True)
class ImportOrder:
    """An import order (9610 direct purchase, 1210 bonded) of one buyer: order from the seller,
    payment voucher from the payment institution (the buyer pays), waybill from the logistics
    enterprise, list from the declaring agent (or the seller itself)."""

    order_no: str
    seller: Seller
    mode: str
    lines: tuple[Line, ...]
    buyer: Buyer
    agent: tuple[str, str]
    assure_code: str
    freight: Decimal = Decimal(10)

    @property
    def cop_no(self) -> str:
        return f"C{self.order_no}"

    @property
    def logistics_no(self) -> str:
        return f"YT{self.order_no}"

    @property
    def goods_value(self) -> Decimal:
        return _goods_value(self.lines)

    def dutiable_values(self) -> list[Decimal]:
        """Each line's price plus its share of the freight, by value (§6.4)."""
        totals = [line.total for line in self.lines]
        whole = sum(totals, Decimal(0))
        shares = [to_fen(self.freight * t / whole) for t in totals[:-1]]
        shares.append(to_fen(self.freight) - sum(shares, Decimal(0)))
        return [t + s for t, s in zip(totals, shares, strict=True)]

    def expected_tax(self) -> list[dict[str, Decimal]]:
        """Per line, the retail rates within the limits: tariff 0, VAT and consumption tax at
        70%, each rounded to the fen (财关税〔2018〕49号)."""
        taxes = []
        for line, value in zip(self.lines, self.dutiable_values(), strict=True):
            c, v = line.goods.consumption, line.goods.vat
            base = value / (1 - c)
            taxes.append(
                {
                    "dutiableValue": value,
                    "tariff": Decimal("0.00"),
                    "vat": to_fen(base * v * Decimal("0.7")),
                    "consumptionTax": to_fen(base * c * Decimal("0.7")),
                }
            )
        return taxes

    @property
    def tax_total(self) -> Decimal:
        return sum((t["vat"] + t["consumptionTax"] for t in self.expected_tax()), Decimal(0))

    @property
    def dutiable_value(self) -> Decimal:
        return sum(self.dutiable_values(), Decimal(0))

    @property
    def paid(self) -> Decimal:
        """acturalPaid = goodsValue + freight + taxTotal − discount (DOMAIN.md §4)."""
        return self.goods_value + self.freight + self.tax_total

    def _names(self) -> dict[str, str]:
        """The platform, the seller and the carrier, as the builders take them."""
        return {
            "ebp_code": PLATFORM[0],
            "ebp_name": PLATFORM[1],
            "ebc_code": self.seller.code,
            "ebc_name": self.seller.name,
            "logistics_code": CARRIER[0],
            "logistics_name": CARRIER[1],
        }

    def order(self) -> dict[str, Any]:
        """CEB311 ``Order``, sent by the seller; the tax it collects is the CBEC tax."""
        b = self.buyer
        names = self._names()
        del names["logistics_code"], names["logistics_name"]
        return builders.import_order(
            app_time=_app_time(),
            order_no=self.order_no,
            **names,
            buyer=b.id_number,
            goods_value=amount(self.goods_value),
            freight=amount(self.freight),
            paid=amount(self.paid),
            address=b.address,
            lines=[
                builders.import_order_line(
                    gnum,
                    item_no=line.goods.item_no,
                    item_name=line.goods.name,
                    gmodel="standard",
                    unit=line.goods.unit,
                    qty=amount(line.qty),
                    price=amount(line.unit_price),
                    total_price=amount(line.total),
                    currency=CNY,
                    country="502",
                )
                for gnum, line in enumerate(self.lines, start=1)
            ],
            taxTotal=amount(self.tax_total),
            buyerRegNo=f"U{b.telephone}",
            buyerName=b.name,
            buyerTelephone=b.telephone,
            consignee=b.name,
            consigneeTelephone=b.telephone,
        )

    def payment(self) -> dict[str, Any]:
        """CEB411 ``Payment``: the buyer paid acturalPaid through the payment institution."""
        b = self.buyer
        return builders.payment(
            app_time=_app_time(),
            pay_code=PAYER[0],
            pay_name=PAYER[1],
            order_no=self.order_no,
            ebp_code=PLATFORM[0],
            ebp_name=PLATFORM[1],
            buyer=b.id_number,
            payer_name=b.name,
            telephone=b.telephone,
            amount_paid=amount(self.paid),
            currency=CNY,
            pay_time=ceb_time(now() - timedelta(minutes=25)),
        )

    def waybill(self) -> dict[str, Any]:
        """CEB511 ``Logistics``: one parcel to the buyer."""
        b = self.buyer
        waybill = builders.import_waybill(
            app_time=_app_time(),
            logistics_code=CARRIER[0],
            logistics_name=CARRIER[1],
            logistics_no=self.logistics_no,
            order_no=self.order_no,
            freight=amount(self.freight),
            weight="0.8",
            consignee=b.name,
            address=b.address,
            telephone=b.telephone,
        )
        return {"LogisticsHead": waybill}

    def inventory(self) -> dict[str, Any]:
        """CEB621 ``Inventory``, declared by the agent; a bonded list names its bonded area."""
        b = self.buyer
        bonded = (
            {"emsNo": BONDED_EMS, "areaCode": BONDED_AREA[0], "areaName": BONDED_AREA[1]}
            if self.mode == "1210"
            else {}
        )
        return builders.import_inventory(
            app_time=_app_time(),
            order_no=self.order_no,
            **self._names(),
            logistics_no=self.logistics_no,
            cop_no=self.cop_no,
            decl_time=f"{now():%Y%m%d}",
            buyer=b.id_number,
            address=b.address,
            agent_code=self.agent[0],
            agent_name=self.agent[1],
            lines=[
                builders.inventory_line(
                    gnum,
                    item_no=line.goods.item_no,
                    gcode=line.goods.gcode,
                    gname=line.goods.name,
                    bar_code=None,
                    country="502",
                    currency=CNY,
                    qty=amount(line.qty),
                    unit=line.goods.unit,
                    price=amount(line.unit_price),
                    total_price=amount(line.total),
                )
                for gnum, line in enumerate(self.lines, start=1)
            ],
            assureCode=self.assure_code,
            buyerName=b.name,
            buyerTelephone=b.telephone,
            tradeMode=self.mode,
            freight=amount(self.freight),
            grossWeight="0.8",
            netWeight="0.6",
            **bonded,
        )

    def delivered(self, at: datetime) -> dict[str, Any]:
        """CEB513 ``LogisticsStatus`` S: the buyer signed for the parcel."""
        return builders.logistics_status(
            app_time=ceb_time(at),
            logistics_code=CARRIER[0],
            logistics_name=CARRIER[1],
            logistics_no=self.logistics_no,
            logistics_time=ceb_time(at),
        )

    def return_application(self, invt_no: str, at: datetime) -> dict[str, Any]:
        """CEB625 ``InvtRefund``: the buyer returns the whole order, by the list's agent."""
        b = self.buyer
        lines = [
            builders.import_return_line(
                gnum,
                gcode=line.goods.gcode,
                gname=line.goods.name,
                qty=amount(line.qty),
                unit=line.goods.unit,
            )
            for gnum, line in enumerate(self.lines, start=1)
        ]
        return builders.import_return(
            app_time=ceb_time(at),
            order_no=self.order_no,
            **self._names(),
            logistics_no=self.logistics_no,
            cop_no=f"R{self.order_no}",
            invt_no=invt_no,
            buyer=b.id_number,
            buyer_name=b.name,
            buyer_telephone=b.telephone,
            agent_code=self.agent[0],
            agent_name=self.agent[1],
            lines=lines,
        )

    def goods_back(self, invt_no: str, at: datetime) -> dict[str, Any]:
        """The returned goods are back at the supervised site (POST /v1/import/return-receipts)."""
        return {"invtNo": invt_no, "copNo": f"R{self.order_no}", "receivedAt": ceb_time(at)}


def site_entry(cop_no: str, orders: Sequence[ImportOrder], at: datetime) -> dict[str, Any]:
    """CEB711 ``Delivery``: the parcels of a flight entered the supervised site."""
    return builders.site_entry(
        cop_no=cop_no,
        operator_code=CARRIER[0],
        logistics_code=CARRIER[0],
        logistics_name=CARRIER[1],
        numbers=_numbers(orders),
        app_time=ceb_time(at),
    )


# -- the month's summary and tax --------------------------------------------------------------


def summary_application(
    seller: Seller, cop_no: str, start: datetime, end: datetime, summary_flag: str = "1"
) -> dict[str, Any]:
    """CEB701 ``SummaryApply`` of the seller's lists released in [start, end]."""
    return builders.summary_application(
        app_time=_app_time(),
        cop_no=cop_no,
        ebc_code=seller.code,
        ebc_name=seller.name,
        start_time=ceb_time(start),
        end_time=ceb_time(end),
        summary_flag=summary_flag,
    )


@dataclass(frozen=True)
class ExpectedItem:
    gcode: str
    country: str
    unit: str
    qty: Decimal
    total: Decimal


@dataclass
class ExpectedForm:
    country: str
    items: dict[str, ExpectedItem] = field(default_factory=dict)
    orders: set[str] = field(default_factory=set)


def expected_forms(orders: Iterable[ExportOrder]) -> dict[str, ExpectedForm]:
    """DOMAIN.md §5 with summaryFlag 1: one form per consignor, transport mode, destination and
    exit customs (here: per destination country); one item per HS code, summing quantities and
    values."""
    forms: dict[str, ExpectedForm] = {}
    for order in orders:
        form = forms.setdefault(order.country, ExpectedForm(order.country))
        form.orders.add(order.order_no)
        for line in order.lines:
            goods = line.goods
            known = form.items.get(goods.gcode)
            qty = line.qty + (known.qty if known else 0)
            total = line.total + (known.total if known else 0)
            form.items[goods.gcode] = ExpectedItem(
                goods.gcode, order.country, goods.unit, qty, total
            )
    return forms


def deemed_income_tax(revenue: Decimal, small_low_profit: bool) -> dict[str, Decimal]:
    """国家税务总局公告2019年第36号: taxable income = revenue × 4%; tax at 25%, or at the small
    low-profit relief's effective 5% (example table income_tax_relief.csv, 2023-2027, up to
    3,000,000 of taxable income)."""
    taxable = to_fen(revenue * Decimal("0.04"))
    rate = Decimal("0.05") if small_low_profit else Decimal("0.25")
    return {"revenue": to_fen(revenue), "taxableIncome": taxable, "tax": to_fen(taxable * rate)}
