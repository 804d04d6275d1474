"""Realistic export (9610) traffic for load tests: enterprises, orders and the four documents each
order needs before customs releases its list (DOMAIN.md §2 and §4), in the JSON shape the
gateway takes.

    population = Population.generate(seed=7, sellers=12)
    orders = OrderGenerator(population, seed=7)
    one = orders.next()
    for doc in one.documents:            # order, receipt of funds, waybill, inventory list
        doc.submitter, doc.path, doc.body

Who files what, as in the zone: the e-commerce enterprise (seller) or its platform files the
order (CEB303), the payment institution the receipt of funds (CEB403), the logistics enterprise
the waybill (CEB505), and a customs broker or the seller itself the inventory list (CEB603).
Each document carries its submitter's code in the party field the gateway checks.

The goods come from the code tables in ``cbec.shared.codes``: HS codes and names of the headings
common in CBEC (apparel, home textiles, footwear, household electrical goods, cosmetics ...),
with their legal and second units; destinations with their currencies. Every order agrees with
its documents by construction: line totals are qty × price, the amount received equals goods
value + freight, net weight is below gross weight, and a list line's legal quantity equals its
declared quantity when the units agree. The same seed gives the same enterprises and documents
(the only inputs besides the seed are the times, taken when a document is made).
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from cbec.tools import builders
from cbec.tools.population import (
    CATEGORIES,
    MARKETS,
    PORTS,
    TRAF_MODES,
    WRAP_TYPES,
    Category,
    Market,
    Party,
    Population,
    Product,
    Seller,
)

__all__ = [
    "CATEGORIES",
    "INVENTORIES_PATH",
    "MARKETS",
    "ORDERS_PATH",
    "PATHS",
    "RECEIPTS_PATH",
    "WAYBILLS_PATH",
    "Category",
    "Document",
    "ExportOrder",
    "Market",
    "OrderGenerator",
    "Party",
    "Population",
    "Product",
    "Seller",
    "encode",
]

ORDERS_PATH = "/v1/export/orders"
RECEIPTS_PATH = "/v1/export/receipts"
WAYBILLS_PATH = "/v1/export/waybills"
INVENTORIES_PATH = "/v1/export/inventories"
PATHS: tuple[str, ...] = (ORDERS_PATH, RECEIPTS_PATH, WAYBILLS_PATH, INVENTORIES_PATH)
"""The four documents of an export order, in the order an enterprise usually files them."""

CHINA = timezone(timedelta(hours=8))
CENT = Decimal("0.01")
ONE = Decimal(1)


def _money(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(ONE if decimals == 0 else CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Document:
    """One document as an enterprise files it: who (its code), where (the gateway path), what."""

    submitter: str
    path: str
    body: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ExportOrder:
    """An export order and the four documents that release its list."""

    order_no: str
    seller: str
    cop_no: str
    logistics_code: str
    logistics_no: str
    pay_no: str
    documents: tuple[Document, ...]

    def numbers(self) -> tuple[str, ...]:
        """The numbers its documents were given (the generator's tag is in each)."""
        return (self.order_no, self.cop_no, self.logistics_no, self.pay_no)


@dataclass(slots=True)
class _Goods:
    """An order's lines as the order and the list write them, with their totals."""

    order_lines: list[dict[str, Any]]
    list_lines: list[dict[str, Any]]
    goods: Decimal
    net: Decimal


@dataclass(frozen=True, slots=True)
class _Numbers:
    """An order's parties and document numbers, and when its documents are made."""

    seller: Seller
    market: Market
    carrier: Party
    agent: Party
    order_no: str
    cop_no: str
    logistics_no: str
    pay_no: str
    day: str
    stamp: str


def _guid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4)).upper()


def _goods(rng: random.Random, products: Sequence[Product], market: Market) -> _Goods:
    goods = _Goods([], [], Decimal(0), Decimal(0))
    for gnum, product in enumerate(products, start=1):
        qty = Decimal(rng.choices((1, 1, 1, 2, 2, 3, 5), k=1)[0])
        price = _money(
            product.price_usd * market.per_usd * Decimal(str(round(rng.uniform(0.9, 1.1), 3))),
            market.decimals,
        )
        if price <= 0:
            price = ONE
        total = _money(qty * price, market.decimals)
        goods.goods += total
        kg = (product.kg * qty).quantize(Decimal("0.001"))
        goods.net += kg
        goods.order_lines.append(
            builders.order_line(
                gnum,
                item_no=product.item_no,
                item_name=product.item_name,
                bar_code=product.bar_code,
                unit=product.unit,
                currency=market.currency,
                qty=str(qty),
                price=str(price),
                total_price=str(total),
            )
        )
        goods.list_lines.append(
            builders.inventory_line(
                gnum,
                item_no=product.item_no,
                item_name=product.item_name,
                gcode=product.gcode,
                gname=product.gname,
                gmodel=product.gmodel,
                bar_code=product.bar_code,
                country=market.country,
                currency=market.currency,
                qty=str(qty),
                unit=product.unit,
                # The legal quantity: the same count when the units agree, else the weight.
                qty1=str(qty if product.unit1 == product.unit else kg),
                unit1=product.unit1,
                price=str(price),
                total_price=str(total),
                unit2=product.unit2,
                qty2=None if product.unit2 is None else str(kg if product.unit2 == "035" else qty),
            )
        )
    return goods


def _documents(rng: random.Random, n: _Numbers, goods: _Goods) -> tuple[Document, ...]:
    """The order, receipt of funds, waybill and list of an order, each by its filer."""
    seller, market, carrier, agent = n.seller, n.market, n.carrier, n.agent
    ebc, ebp = seller.party, seller.platform
    gross = (goods.net * Decimal("1.12") + Decimal("0.05")).quantize(Decimal("0.001"))
    freight_usd = Decimal("3.5") + Decimal("6.0") * gross
    freight = _money(freight_usd * market.per_usd, market.decimals)
    order = builders.export_order(
        guid=_guid(rng),
        app_time=n.stamp,
        order_no=n.order_no,
        ebp_code=ebp.code,
        ebp_name=ebp.name,
        ebc_code=ebc.code,
        ebc_name=ebc.name,
        goods_value=str(goods.goods),
        freight=str(freight),
        currency=market.currency,
        lines=goods.order_lines,
    )
    funds = builders.receipt_of_funds(
        guid=_guid(rng),
        app_time=n.stamp,
        ebp_code=ebp.code,
        ebp_name=ebp.name,
        ebc_code=ebc.code,
        ebc_name=ebc.name,
        order_no=n.order_no,
        pay_code=seller.payer.code,
        pay_name=seller.payer.name,
        pay_no=n.pay_no,
        charge=str(goods.goods + freight),
        currency=market.currency,
        accounting_date=n.stamp,
    )
    waybill = builders.export_waybill(
        guid=_guid(rng),
        app_time=n.stamp,
        logistics_code=carrier.code,
        logistics_name=carrier.name,
        logistics_no=n.logistics_no,
        freight=str(_money(freight_usd * Decimal("7.1"), 2)),
        currency="142",
        gross_weight=str(gross),
        goods_info="；".join(line["itemName"] for line in goods.order_lines)[:200],
        ebc_code=ebc.code,
        ebc_name=ebc.name,
    )
    inventory = builders.export_inventory(
        guid=_guid(rng),
        app_time=n.stamp,
        ebp_code=ebp.code,
        ebp_name=ebp.name,
        ebc_code=ebc.code,
        ebc_name=ebc.name,
        order_no=n.order_no,
        logistics_code=carrier.code,
        logistics_name=carrier.name,
        logistics_no=n.logistics_no,
        cop_no=n.cop_no,
        port_code=rng.choice(PORTS),
        ie_date=n.day,
        agent_code=agent.code,
        agent_name=agent.name,
        traf_mode=rng.choice(TRAF_MODES),
        country=market.country,
        freight=str(freight),
        currency=market.currency,
        wrap_type=rng.choice(WRAP_TYPES),
        gross_weight=str(gross),
        net_weight=str(goods.net),
        lines=goods.list_lines,
    )
    filer = ebp if seller.via_platform else ebc
    return (
        Document(filer.code, ORDERS_PATH, order),
        Document(seller.payer.code, RECEIPTS_PATH, funds),
        Document(carrier.code, WAYBILLS_PATH, waybill),
        Document(agent.code, INVENTORIES_PATH, inventory),
    )


class OrderGenerator:
    """Export orders of the population, one after another; deterministic for a seed.

    ``tag`` goes into every document number (order, list, waybill and payment numbers), so that
    runs against the same platform with different tags do not collide; it changes nothing else:
    two tags of one seed make the same orders under other numbers."""

    def __init__(self, population: Population, seed: int, *, tag: str = "") -> None:
        self.population = population
        self.rng = random.Random(f"orders:{seed}")
        self.tag = tag
        self.count = 0
        self._weights = [s.weight for s in population.sellers]

    def take(self, n: int, now: datetime | None = None) -> list[ExportOrder]:
        return [self.next(now) for _ in range(n)]

    def next(self, now: datetime | None = None) -> ExportOrder:
        rng = self.rng
        self.count += 1
        serial = self.count
        at = (now or datetime.now(UTC)).astimezone(CHINA)
        seller = rng.choices(self.population.sellers, weights=self._weights)[0]
        market = rng.choice(seller.markets)
        line_count = rng.choices((1, 2, 3, 4, 5, 8), weights=(58, 20, 10, 6, 4, 2))[0]
        products = rng.sample(seller.catalogue, k=min(line_count, len(seller.catalogue)))
        carrier = rng.choice(seller.carriers)
        agent = seller.broker or seller.party
        prefix = self.population.carrier_prefixes.get(carrier.code, "LN")
        numbers = _Numbers(
            seller=seller,
            market=market,
            carrier=carrier,
            agent=agent,
            order_no=f"{seller.platform.code[-4:]}{at:%y%m%d}{self.tag}{serial:09d}",
            cop_no=f"{agent.code[-4:]}{at:%y%m%d}{self.tag}{serial:08d}"[:30],
            logistics_no=f"{prefix}{self.tag}{serial:010d}{rng.randrange(10)}"[:32],
            pay_no=f"{at:%Y%m%d}{self.tag}{serial:012d}",
            day=f"{at:%Y%m%d}",
            stamp=f"{at:%Y%m%d%H%M%S}",
        )
        documents = _documents(rng, numbers, _goods(rng, products, market))
        return ExportOrder(
            order_no=numbers.order_no,
            seller=seller.party.code,
            cop_no=numbers.cop_no,
            logistics_code=carrier.code,
            logistics_no=numbers.logistics_no,
            pay_no=numbers.pay_no,
            documents=documents,
        )


def encode(documents: Sequence[dict[str, Any]]) -> bytes:
    """A batch as the request body: a JSON array, UTF-8."""
    return json.dumps(list(documents), ensure_ascii=False, separators=(",", ":")).encode()
