"""A year of CBEC retail imports through the tax service: reservations over HTTP, releases and
returns as the declaration and logistics services publish them, on a real broker and database.

The expected figures come from an oracle written here from DOMAIN.md §6.4 (limits 5,000 and
26,000; tax at 70%, or in full for a single indivisible item; returns within 30/45 days)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlmodel import col, func, select

from cbec.declaration.events import ListLine, ListReleased
from cbec.logistics.events import ReturnCompleted, ReturnedLine
from cbec.shared.inbox import InboxRecord
from cbec.tax_refund.app import create_app
from cbec.tax_refund.models import TaxBillRow
from cbec.tax_refund.settings import Settings
from tests.support.apps import running, service_settings
from tests.support.kafka import read_topic
from tests.support.signing import publish_events
from tests.support.tokens import as_service, vouch
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


def from_declaration() -> dict[str, str]:
    """The quota reservations are the declaration service's calls."""
    return as_service("tax-refund", "declaration")


OFFICER = vouch("4300000003", "tax-officer")

D = Decimal
FEN = D("0.01")
# hs code -> (vat, consumption tax, tariff) as in the shipped example rate table
GOODS = {
    "3304990099": (D("0.13"), D("0.15"), D("0.01")),
    "3304910000": (D("0.13"), D("0"), D("0.01")),
    "8517620000": (D("0.13"), D("0"), D("0")),
}
SINGLE, ANNUAL = D("5000.00"), D("26000.00")


def fen(amount: Decimal) -> Decimal:
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


@dataclass
class Case:
    n: int
    buyer: str
    gcode: str
    qty: int
    total: Decimal
    freight: Decimal
    reserved_on: date
    reserve_first: bool
    accepted: bool = False
    general: bool = False
    returned: str = ""  # "", "within" or "late"
    run: str = "0000"  # a few characters of the test's unique name: list numbers of one run

    @property
    def invt_no(self) -> str:
        return f"43002026I{self.run}{self.n:05d}"

    @property
    def dv(self) -> Decimal:
        return self.total + self.freight

    @property
    def released_on(self) -> date:
        return self.reserved_on + timedelta(days=1)

    def expected_tax(self) -> Decimal:
        vat, consumption, tariff = GOODS[self.gcode]
        if self.general:
            duty = fen(self.dv * tariff)
            base = (self.dv + duty) / (1 - consumption)
            return duty + fen(base * consumption) + fen(base * vat)
        base = self.dv / (1 - consumption)
        return fen(base * consumption * D("0.7")) + fen(base * vat * D("0.7"))


@dataclass
class Oracle:
    counted: dict[str, Decimal] = field(default_factory=dict)

    def admit(self, case: Case) -> bool:
        used = self.counted.get(case.buyer, D(0))
        within_room = used + case.dv <= ANNUAL
        over_single = case.dv > SINGLE
        single_passes = over_single and case.qty == 1 and within_room
        if (over_single and not single_passes) or not within_room:
            return False
        case.accepted, case.general = True, single_passes
        self.counted[case.buyer] = used + case.dv
        return True


def make_cases(unique: str, buyers: int, lists: int) -> list[Case]:
    rng = random.Random(unique)
    cases: list[Case] = []
    for n in range(lists):
        b = n % buyers
        big = rng.random() < 0.04
        total = D(rng.randint(520_000, 900_000) if big else rng.randint(30_000, 480_000)) / 100
        last_of_buyer = n + buyers >= lists
        cases.append(
            Case(
                n=n,
                buyer=f"37{unique[1:]}{b:04d}",
                gcode=rng.choice(sorted(GOODS)),
                qty=rng.choice([1, 2]),
                total=total,
                freight=D(rng.randint(0, 5_000)) / 100,
                reserved_on=date(2026, 1, 1) + timedelta(days=rng.randint(0, 300)),
                # the buyer's last list comes without a reservation, now and then
                reserve_first=not (last_of_buyer and rng.random() < 0.5),
                run=unique[-4:],
            )
        )
    return cases


def released(case: Case, unique: str) -> ListReleased:
    price = (case.total / case.qty).quantize(D("0.00001"))
    return ListReleased(
        orderNo=f"IO{unique}{case.n}",
        ieFlag="I",
        copNo=f"C{unique}{case.n}",
        invtNo=case.invt_no,
        tradeMode="9610",
        ebpCode="4403169D3W",
        ebcCode="3702960001",
        agentCode="3702960001",
        logisticsCode="3702980002",
        logisticsNo=f"SF{unique}{case.n}",
        customsCode="4300",
        portCode="4300",
        trafMode="5",
        country="502",
        currency="142",
        freight=case.freight,
        insuredFee=D(0),
        buyerIdType="1",
        buyerIdNumber=case.buyer,
        buyerName="Buyer",
        assureCode="4403169D3W",
        lines=(
            ListLine(
                gnum=1,
                gcode=case.gcode,
                gname="goods",
                country="502",
                currency="142",
                unit="011",
                qty=D(case.qty),
                price=price,
                totalPrice=case.total,
            ),
        ),
        releasedAt=f"{case.released_on.isoformat()}T10:00:00+08:00",
    )


def return_of(case: Case, unique: str) -> ReturnCompleted:
    applied = case.released_on + timedelta(days=10 if case.returned == "within" else 35)
    return ReturnCompleted(
        orderNo=f"IO{unique}{case.n}",
        invtNo=case.invt_no,
        ieFlag="I",
        buyerIdNumber=case.buyer,
        whole=True,
        withinWindow=case.returned == "within",
        lines=(ReturnedLine(gnum=1, qty=D(case.qty), amount=case.total),),
        amount=case.total,
        releasedAt=f"{case.released_on.isoformat()}T10:00:00+08:00",
        appliedAt=f"{applied.isoformat()}T10:00:00+08:00",
        receivedAt=f"{(applied + timedelta(days=5)).isoformat()}T10:00:00+08:00",
    )


async def _publish(app, events: list) -> list[str]:  # type: ignore[no-untyped-def]
    """Publish the events as their owning service would; returns their ids."""
    return [e.id for e in await publish_events(app.state.runtime.publisher, events)]


async def _applied(app, event_ids: list[str]) -> int:  # type: ignore[no-untyped-def]
    """How many of these events the service applied (its inbox), whatever else it saw."""
    count = 0
    async with app.state.runtime.sessions() as session:
        for start in range(0, len(event_ids), 500):
            result = await session.exec(
                select(func.count())
                .select_from(InboxRecord)
                .where(col(InboxRecord.event_id).in_(event_ids[start : start + 500]))
            )
            count += int(result.one())
    return count


@pytest.mark.parametrize(
    ("buyers", "lists"),
    [
        # Ten lists a buyer: most reach the annual limit, so some are refused on release.
        pytest.param(60, 600, id="small"),
        pytest.param(300, 2000, id="full", marks=[pytest.mark.slow, pytest.mark.bench]),
    ],
)
async def test_a_year_of_imports_leaves_every_quota_and_every_tax_bill_right(
    kafka_bootstrap: str, database_url: str, unique: str, buyers: int, lists: int
) -> None:
    cases = make_cases(unique, buyers, lists)
    oracle = Oracle()
    settings = service_settings(
        Settings, kafka_bootstrap_servers=kafka_bootstrap, database_url=database_url
    )
    async with running(create_app(settings)) as (app, client):  # type: ignore[arg-type]
        # 1. The declaration service reserves each list's value as it declares it.
        reserved: list[Case] = []
        for case in (c for c in cases if c.reserve_first):
            answer = await client.post(
                "/v1/import/quota/reservations",
                headers=from_declaration(),
                json={
                    "invtNo": case.invt_no,
                    "orderNo": f"IO{unique}{case.n}",
                    "buyerIdNumber": case.buyer,
                    "amount": str(case.dv),
                    "singleItem": case.qty == 1,
                    "date": case.reserved_on.isoformat(),
                },
            )
            expected = oracle.admit(case)
            assert answer.status_code == (201 if expected else 409), (case, answer.text)
            if expected:
                assert D(answer.json()["yearTotalAfter"]) == oracle.counted[case.buyer]
                reserved.append(case)
            else:
                assert answer.json()["returnStatus"] in {"-621005", "-621018"}
        # Lists without a reservation are checked on release, after every reservation.
        direct = [c for c in cases if not c.reserve_first]
        for case in direct:
            oracle.admit(case)
        refused_direct = [c for c in direct if not c.accepted]
        assert refused_direct, "the data should hold lists refused on release"

        # 2. Customs releases the reserved lists and the unreserved ones.
        release_ids = await _publish(app, [released(c, unique) for c in [*reserved, *direct]])
        await eventually(
            lambda: _applied(app, release_ids),
            until=lambda n: n == len(reserved) + len(direct),
            timeout=120,
            what="every release applied",
        )

        # 3. Some buyers return goods: in time (the amount comes back) or late (it does not).
        accepted = [c for c in cases if c.accepted]
        rng = random.Random(f"returns{unique}")
        for case in accepted:
            roll = rng.random()
            case.returned = "within" if roll < 0.1 else "late" if roll < 0.13 else ""
        returns = [c for c in accepted if c.returned]
        return_ids = await _publish(app, [return_of(c, unique) for c in returns])
        await eventually(
            lambda: _applied(app, return_ids),
            until=lambda n: n == len(returns),
            timeout=60,
            what="every return applied",
        )

        # Every buyer's year: accepted values less those returned in time.
        expected_counted: dict[str, Decimal] = {}
        for case in accepted:
            if case.returned != "within":
                expected_counted[case.buyer] = expected_counted.get(case.buyer, D(0)) + case.dv
        for b in range(buyers):
            buyer = f"37{unique[1:]}{b:04d}"
            quota = (await client.get(f"/v1/import/quota/{buyer}/2026", headers=OFFICER)).json()
            assert D(quota["counted"]) == expected_counted.get(buyer, D(0)), buyer
            assert D(quota["counted"]) <= ANNUAL

        # Every tax bill: one per accepted list, the right tax, void when returned in time.
        async with app.state.runtime.sessions() as session:
            run = f"43002026I{unique[-4:]}"
            bills = {
                b.invt_no: b
                for b in (await session.exec(select(TaxBillRow))).all()
                if b.invt_no.startswith(run)  # this test's lists, not other tests' leftovers
            }
        assert set(bills) == {c.invt_no for c in accepted}
        for case in accepted:
            bill = bills[case.invt_no]
            assert D(bill.total_tax) == case.expected_tax(), case
            assert D(bill.dutiable_value) == case.dv
            assert bill.mode == ("general-trade" if case.general else "retail")
            assert bill.status == ("3" if case.returned == "within" else "1"), case
        sample = accepted[:: max(len(accepted) // 20, 1)]
        for case in sample:
            view = (
                await client.get(f"/v1/import/tax-bills/{case.invt_no}", headers=OFFICER)
            ).json()
            assert D(view["totalTax"]) == case.expected_tax()

        # The officers' feed: assessments, refusals on release, restorations.
        prefix = f"IO{unique}"

        async def ours() -> dict[str, int]:
            records = await read_topic(kafka_bootstrap, "cbec.tax.v1", expected=1)
            counts: dict[str, int] = {}
            seen: set[bytes] = set()  # a record repeating an event id is the same event
            for record in records:
                if record.key and record.key.decode().startswith(prefix):
                    headers = dict(record.headers)
                    if headers["ce_id"] in seen:
                        continue
                    seen.add(headers["ce_id"])
                    kind = headers["ce_type"].decode()
                    counts[kind] = counts.get(kind, 0) + 1
            return counts

        within = sum(1 for c in returns if c.returned == "within")
        await eventually(
            ours,
            until=lambda counts: (
                counts
                == {
                    "cbec.tax.import.assessed.v1": len(accepted),
                    "cbec.tax.import.refused.v1": len(refused_direct),
                    "cbec.tax.quota.restored.v1": within,
                }
            ),
            timeout=60,
            what="the tax events of this year",
        )
