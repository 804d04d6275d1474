"""The load generator's enterprises and their goods: a seeded population of platforms, sellers,
customs brokers, carriers and payment institutions, each seller with its catalogue (from the code
tables in ``cbec.shared.codes``) and its markets.

    population = Population.generate(seed=7, sellers=12)
    population.parties()      # every enterprise to register, each once

The same seed gives the same enterprises, codes, names and catalogues.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from cbec.shared import codes

# -- reference data ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Market:
    """A destination: country code, currency code, how many units of it one USD buys, and the
    decimals its prices carry."""

    country: str
    currency: str
    per_usd: Decimal
    decimals: int
    share: int


MARKETS: tuple[Market, ...] = (
    Market("502", "502", Decimal("1"), 2, 34),  # United States, USD
    Market("303", "303", Decimal("0.79"), 2, 10),  # United Kingdom, GBP
    Market("304", "300", Decimal("0.92"), 2, 8),  # Germany, EUR
    Market("305", "300", Decimal("0.92"), 2, 6),  # France, EUR
    Market("312", "300", Decimal("0.92"), 2, 4),  # Spain, EUR
    Market("307", "300", Decimal("0.92"), 2, 3),  # Italy, EUR
    Market("309", "300", Decimal("0.92"), 2, 2),  # Netherlands, EUR
    Market("116", "116", Decimal("150"), 0, 8),  # Japan, JPY
    Market("133", "133", Decimal("1350"), 0, 5),  # Korea, KRW
    Market("601", "601", Decimal("1.52"), 2, 6),  # Australia, AUD
    Market("501", "501", Decimal("1.36"), 2, 5),  # Canada, CAD
    Market("132", "132", Decimal("1.34"), 2, 3),  # Singapore, SGD
    Market("122", "122", Decimal("4.70"), 2, 3),  # Malaysia, MYR
    Market("609", "609", Decimal("1.65"), 2, 3),  # New Zealand, NZD
)
"""Example exchange rates: they only shape realistic prices; nothing checks them."""


@dataclass(frozen=True, slots=True)
class Category:
    """Goods of some HS headings, with a typical unit price (USD) and weight per unit (kg)."""

    name: str
    prefixes: tuple[str, ...]
    price_usd: tuple[float, float]
    kg: tuple[float, float]
    share: int


CATEGORIES: tuple[Category, ...] = (
    Category("apparel, knitted", ("61",), (4, 35), (0.12, 0.6), 26),
    Category("apparel, woven", ("62",), (6, 60), (0.2, 0.9), 20),
    Category("home textiles", ("63",), (5, 45), (0.3, 1.5), 10),
    Category("footwear", ("64",), (9, 70), (0.5, 1.3), 10),
    Category("phones and electrical goods", ("8509", "8516", "8517"), (12, 180), (0.2, 3.0), 14),
    Category("cosmetics", ("3304",), (3, 30), (0.05, 0.4), 6),
    Category("tools", ("8205", "8467"), (5, 90), (0.2, 2.5), 6),
    Category("vacuum flasks", ("9617",), (4, 25), (0.3, 0.8), 4),
    Category("car parts", ("8708",), (8, 120), (0.3, 4.0), 4),
)

COUNT_UNITS = frozenset({"件", "条", "个", "套", "台", "双", "只", "把", "副", "张"})
KG = "千克"
PIECE = "011"  # 件: the declared unit of goods whose legal unit is the kilogram
WRAP_TYPES = ("2", "2", "2", "6", "7")  # carton mostly; bag; other
TRAF_MODES = ("5", "5", "5", "6", "2")  # air mostly; postal; sea
PORTS = ("4300", "4300", "4300", "4240", "4245")  # Jinan; Qingdao express; Yantai postal
CUSTOMS = "4300"  # 济南海关: the zone's customs (DOMAIN.md §1)
CITIES = ("济南", "临沂", "青岛", "淄博", "潍坊", "烟台", "济宁", "泰安")
WORDS = ("华通", "鲁信", "泰和", "嘉禾", "恒远", "东岳", "齐源", "海纳", "金桥", "众诚")
COLOURS = ("黑色", "白色", "灰色", "藏青", "红色", "米色", "蓝色", "绿色")
SIZES = ("S", "M", "L", "XL", "XXL", "均码")


def _unit_code(name_zh: str) -> str | None:
    found = codes.unit.find("name_zh", name_zh)
    return found.code if found is not None else None


# -- enterprises ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Party:
    """A registered enterprise: its customs code (10 characters), name and gateway roles."""

    code: str
    name: str
    roles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Product:
    item_no: str
    item_name: str
    gcode: str
    gname: str
    gmodel: str
    bar_code: str
    unit: str
    unit1: str
    unit2: str | None
    price_usd: Decimal
    kg: Decimal


@dataclass(frozen=True, slots=True)
class Seller:
    """An e-commerce enterprise and how its orders travel: its platform (which files the orders
    when ``via_platform``), its customs broker (None: it files its own lists), carriers, payment
    institution, catalogue and markets."""

    party: Party
    platform: Party
    via_platform: bool
    broker: Party | None
    carriers: tuple[Party, ...]
    payer: Party
    catalogue: tuple[Product, ...]
    markets: tuple[Market, ...]
    weight: float


@dataclass(frozen=True)
class Population:
    platforms: tuple[Party, ...]
    sellers: tuple[Seller, ...]
    brokers: tuple[Party, ...]
    carriers: tuple[Party, ...]
    payers: tuple[Party, ...]
    carrier_prefixes: dict[str, str] = field(default_factory=dict)

    def parties(self) -> list[Party]:
        """Every enterprise to register, each once."""
        return [
            *self.platforms,
            *(s.party for s in self.sellers),
            *self.brokers,
            *self.carriers,
            *self.payers,
        ]

    @classmethod
    def generate(
        cls,
        seed: int,
        *,
        sellers: int = 12,
        platforms: int = 2,
        brokers: int = 2,
        carriers: int = 3,
        payers: int = 2,
    ) -> Population:
        """Enterprises with codes and names made from the seed: the same seed, the same ones."""
        rng = random.Random(f"population:{seed}")
        used: set[str] = set()

        def code(kind: str) -> str:
            # Customs registration code: area (4), zone type, enterprise kind, serial (4).
            while True:
                area = rng.choice(("3701", "3701", "3713", "3702", "3703"))
                serial = rng.randrange(1, 9999)
                value = f"{area}9{kind}{serial:04d}"
                if value not in used:
                    used.add(value)
                    return value

        def name(suffix: str) -> str:
            return f"{rng.choice(CITIES)}{rng.choice(WORDS)}{suffix}"

        platform_parties = tuple(
            Party(code("6"), name("跨境电商平台有限公司"), ("ecommerce",)) for _ in range(platforms)
        )
        broker_parties = tuple(
            Party(code("8"), name("报关有限公司"), ("agent",)) for _ in range(brokers)
        )
        carrier_parties = tuple(
            Party(code("7"), name("国际物流有限公司"), ("logistics",)) for _ in range(carriers)
        )
        payer_parties = tuple(
            Party(code("9"), name("支付科技有限公司"), ("payment",)) for _ in range(payers)
        )
        prefixes = {
            c.code: prefix
            for c, prefix in zip(
                carrier_parties, ("SF", "YT", "JD", "ZT", "EM", "YD", "BS", "DB"), strict=False
            )
        }
        for index, carrier in enumerate(carrier_parties):
            prefixes.setdefault(carrier.code, f"L{index:02d}")
        hs8 = list(codes.hs8)
        seller_list = [
            _seller(
                rng,
                index,
                code,
                name,
                platform_parties,
                broker_parties,
                carrier_parties,
                payer_parties,
                hs8,
            )
            for index in range(sellers)
        ]
        return cls(
            platforms=platform_parties,
            sellers=tuple(seller_list),
            brokers=broker_parties,
            carriers=carrier_parties,
            payers=payer_parties,
            carrier_prefixes=prefixes,
        )


def _catalogue(
    rng: random.Random, seller: str, categories: Sequence[Category], hs8: Sequence[codes.Code]
) -> tuple[Product, ...]:
    products: list[Product] = []
    for category in dict.fromkeys(categories):
        headings = [
            row
            for row in hs8
            if row.code.startswith(category.prefixes)
            and _unit_code(row["stat_unit1_zh"]) is not None
            and (not row["stat_unit2_zh"] or _unit_code(row["stat_unit2_zh"]) is not None)
        ]
        for row in rng.sample(headings, k=min(len(headings), rng.randint(6, 20))):
            unit1 = _unit_code(row["stat_unit1_zh"])
            assert unit1 is not None
            unit2 = _unit_code(row["stat_unit2_zh"]) if row["stat_unit2_zh"] else None
            # Goods counted in kilograms by law are sold (declared) by the piece.
            unit = unit1 if row["stat_unit1_zh"] in COUNT_UNITS else PIECE
            for _variant in range(rng.randint(1, 3)):
                number = len(products) + 1
                colour, size = rng.choice(COLOURS), rng.choice(SIZES)
                short = row.name_zh.split("，")[0].split(",")[0][:40]
                products.append(
                    Product(
                        item_no=f"{seller[-4:]}-{number:05d}",
                        item_name=f"{short} {colour} {size}",
                        gcode=row.code + rng.choice(("00", "00", "90")),
                        gname=row.name_zh[:250],
                        gmodel=f"品牌:无品牌|型号:{seller[-4:]}{number:04d}|颜色:{colour}|规格:{size}",
                        bar_code=f"69{rng.randrange(10**10, 10**11)}",
                        unit=unit,
                        unit1=unit1,
                        unit2=unit2,
                        price_usd=Decimal(str(round(rng.uniform(*category.price_usd), 2))),
                        kg=Decimal(str(round(rng.uniform(*category.kg), 3))),
                    )
                )
    return tuple(products)


def _seller(
    rng: random.Random,
    index: int,
    code: Callable[[str], str],
    name: Callable[[str], str],
    platforms: Sequence[Party],
    brokers: Sequence[Party],
    carriers: Sequence[Party],
    payers: Sequence[Party],
    hs8: Sequence[codes.Code],
) -> Seller:
    """The ``index``-th e-commerce enterprise: its partners, catalogue and markets."""
    party = Party(code("6"), name("电子商务有限公司"), ("ecommerce",))
    categories = rng.sample(
        CATEGORIES, k=rng.choice((1, 1, 2)), counts=[c.share for c in CATEGORIES]
    )
    catalogue = _catalogue(rng, party.code, categories, hs8)
    markets = tuple(
        dict.fromkeys(rng.choices(MARKETS, weights=[m.share for m in MARKETS], k=rng.randint(2, 6)))
    )
    return Seller(
        party=party,
        platform=rng.choice(platforms),
        via_platform=rng.random() < 0.5,
        broker=rng.choice(brokers) if brokers and index % 3 else None,
        carriers=tuple(rng.sample(carriers, k=min(2, len(carriers)))),
        payer=rng.choice(payers),
        catalogue=catalogue,
        markets=markets,
        # A few big sellers and a long tail.
        weight=1.0 / (index + 1) ** 0.8,
    )
