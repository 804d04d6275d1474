"""The ledger per order and its flags (DOMAIN.md §7), each with a passing and a failing case."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from cbec.payments.domain import (
    Flag,
    FlagCode,
    Flow,
    FundsRecord,
    InconsistentInput,
    OrderFacts,
    OrderKey,
    OrderLedger,
    PersonIdentity,
    ReconciliationPolicy,
    Share,
    parse_fee_table,
    parse_rate_table,
    reconcile,
    settle,
)
from tests.unit.payments.payments_factories import receipt, voucher

D = Decimal
PLACED = datetime(2024, 5, 7, 10, 0, 0)
POLICY = ReconciliationPolicy(
    funds_deadline=timedelta(hours=24), orphan_grace=timedelta(hours=2), tolerance=D("0")
)
BUYER = PersonIdentity("1", "13062502134522532X", "支付人")
EBP = "1101110325"
SELLER = "1105910159"


def import_order(order_no: str = "order2016030811340007", due: str = "19050") -> OrderFacts:
    return OrderFacts.import_order(
        order_no=order_no, ebp_code=EBP, actural_paid=D(due), placed_at=PLACED, buyer=BUYER
    )


def export_order(currency: str = "502", goods: str = "180.50", freight: str = "20") -> OrderFacts:
    return OrderFacts.export_order(
        order_no="order2024050711340001",
        ebc_code=SELLER,
        goods_value=D(goods),
        freight=D(freight),
        currency=currency,
        placed_at=PLACED,
    )


def paid(amount: str = "19050", **changes: str | bool | None) -> FundsRecord:
    fields: dict[str, str | bool | None] = {
        "amountPaid": amount,
        "payTime": "20240507110000",
        "payerIdNumber": BUYER.id_number,
        "payerName": BUYER.name,
    }
    fields.update(changes)
    return FundsRecord.from_document(voucher(**fields))


def flags_of(ledgers: tuple[OrderLedger, ...], code: FlagCode) -> list[Flag]:
    return [f for ledger in ledgers for f in ledger.flags if f.code is code]


def test_a_fully_paid_order_has_a_clean_ledger() -> None:
    [ledger] = reconcile([import_order()], [paid()], now=PLACED, policy=POLICY)

    assert ledger.flags == ()
    assert ledger.funded == D("19050")
    assert ledger.order is not None


@pytest.mark.parametrize(
    ("hours_after_payment", "flagged"), [(1, False), (2, False), (2.001, True), (48, True)]
)
def test_funds_without_an_order_are_flagged_only_after_the_grace_period(
    hours_after_payment: float, flagged: bool
) -> None:
    funds = paid()
    now = funds.received_at + timedelta(hours=hours_after_payment)

    ledgers = reconcile([], [funds], now=now, policy=POLICY)

    found = flags_of(ledgers, FlagCode.FUNDS_WITHOUT_ORDER)
    assert bool(found) is flagged
    if flagged:
        assert found[0].field == "orderNo"
        assert found[0].document_id == funds.document_id


def test_funds_whose_order_is_on_file_are_not_orphans() -> None:
    now = PLACED + timedelta(days=30)

    ledgers = reconcile([import_order()], [paid()], now=now, policy=POLICY)

    assert flags_of(ledgers, FlagCode.FUNDS_WITHOUT_ORDER) == []


@pytest.mark.parametrize(("hours_after_order", "flagged"), [(23, False), (24, False), (24.5, True)])
def test_an_order_without_funds_is_flagged_past_its_deadline(
    hours_after_order: float, flagged: bool
) -> None:
    now = PLACED + timedelta(hours=hours_after_order)

    ledgers = reconcile([import_order()], [], now=now, policy=POLICY)

    found = flags_of(ledgers, FlagCode.ORDER_WITHOUT_FUNDS)
    assert bool(found) is flagged
    if flagged:
        assert found[0].expected == D("19050")


def test_an_order_paid_after_its_deadline_is_not_an_order_without_funds() -> None:
    now = PLACED + timedelta(days=3)

    ledgers = reconcile([import_order()], [paid()], now=now, policy=POLICY)

    assert flags_of(ledgers, FlagCode.ORDER_WITHOUT_FUNDS) == []


@pytest.mark.parametrize(
    ("amount_paid", "tolerance", "code"),
    [
        ("19050", "0", None),
        ("19050.01", "0", FlagCode.OVERPAID),
        ("19049.99", "0", FlagCode.UNDERPAID),
        ("19050.01", "0.01", None),
        ("19049.99", "0.01", None),
        ("19050.02", "0.01", FlagCode.OVERPAID),
        ("19049.98", "0.01", FlagCode.UNDERPAID),
    ],
)
def test_funds_must_equal_the_orders_amount_within_the_tolerance(
    amount_paid: str, tolerance: str, code: FlagCode | None
) -> None:
    policy = ReconciliationPolicy(
        funds_deadline=POLICY.funds_deadline,
        orphan_grace=POLICY.orphan_grace,
        tolerance=D(tolerance),
    )

    [ledger] = reconcile([import_order()], [paid(amount_paid)], now=PLACED, policy=policy)

    assert [f.code for f in ledger.flags] == ([code] if code else [])
    if code:
        flag = ledger.flags[0]
        assert (flag.field, flag.value, flag.expected) == ("amountPaid", D(amount_paid), D("19050"))


def test_an_export_receipt_must_equal_goods_value_plus_freight() -> None:
    exact = FundsRecord.from_document(receipt(charge="200.50"))
    short = FundsRecord.from_document(receipt(charge="180.50"))

    [clean] = reconcile([export_order()], [exact], now=PLACED, policy=POLICY)
    [under] = reconcile([export_order()], [short], now=PLACED, policy=POLICY)

    assert clean.flags == ()
    assert [(f.code, f.field, f.expected) for f in under.flags] == [
        (FlagCode.UNDERPAID, "charge", D("200.50"))
    ]


def test_funds_in_another_currency_than_the_order_are_a_currency_mismatch() -> None:
    in_euro = FundsRecord.from_document(receipt(charge="200.50", currency="300"))
    in_dollars = FundsRecord.from_document(receipt(charge="200.50", currency="502"))

    [mismatch] = reconcile([export_order("502")], [in_euro], now=PLACED, policy=POLICY)
    [match] = reconcile([export_order("502")], [in_dollars], now=PLACED, policy=POLICY)

    assert [(f.code, f.value, f.expected) for f in mismatch.flags] == [
        (FlagCode.CURRENCY_MISMATCH, "300", "502")
    ]
    assert match.flags == ()


@pytest.mark.parametrize(
    ("payer_is_buyer", "payer_id", "payer_name", "flagged"),
    [
        (None, BUYER.id_number, BUYER.name, False),
        (None, BUYER.id_number.lower(), BUYER.name, False),  # an ID card's final x in any case
        (None, "110101199003071234", "李四", True),
        (None, BUYER.id_number, "李四", True),
        (False, BUYER.id_number, BUYER.name, True),  # the institution's word wins
        (True, "110101199003071234", "李四", False),
        (True, BUYER.id_number, BUYER.name, False),
    ],
)
def test_an_import_payer_who_is_not_the_buyer_is_flagged(
    payer_is_buyer: bool | None, payer_id: str, payer_name: str, flagged: bool
) -> None:
    funds = paid(payerIsBuyer=payer_is_buyer, payerIdNumber=payer_id, payerName=payer_name)

    [ledger] = reconcile([import_order()], [funds], now=PLACED, policy=POLICY)

    assert [f.code for f in ledger.flags] == ([FlagCode.PAYER_NOT_BUYER] if flagged else [])


def test_an_import_order_without_a_known_buyer_raises_no_payer_flag() -> None:
    order = OrderFacts.import_order(
        order_no="order2016030811340007", ebp_code=EBP, actural_paid=D("19050"), placed_at=PLACED
    )
    funds = paid(payerIdNumber="110101199003071234", payerName="李四")

    [ledger] = reconcile([order], [funds], now=PLACED, policy=POLICY)

    assert ledger.flags == ()


def split(shares: dict[str, str], total: str, currency: str = "142") -> FundsRecord:
    return FundsRecord(
        document_id="SPLIT:4403169D3W:T900",
        currency=currency,
        total=D(total),
        received_at=PLACED,
        shares=tuple(
            Share(OrderKey(Flow.IMPORT, order_no, EBP), D(amount))
            for order_no, amount in shares.items()
        ),
    )


def test_a_split_payment_whose_shares_equal_each_orders_amount_is_clean() -> None:
    orders = [import_order("A1", "100"), import_order("A2", "250.50")]

    ledgers = reconcile(
        orders, [split({"A1": "100", "A2": "250.50"}, "350.50")], now=PLACED, policy=POLICY
    )

    assert [ledger.flags for ledger in ledgers] == [(), ()]
    assert [ledger.entries[0].split for ledger in ledgers] == [True, True]


def test_a_split_share_that_differs_from_its_orders_amount_is_flagged_on_that_order() -> None:
    orders = [import_order("A1", "100"), import_order("A2", "250.50")]

    first, second = reconcile(
        orders, [split({"A1": "100", "A2": "250.00"}, "350.00")], now=PLACED, policy=POLICY
    )

    assert first.flags == ()
    assert [(f.code, f.value, f.expected) for f in second.flags] == [
        (FlagCode.SPLIT_SHARE_MISMATCH, D("250.00"), D("250.50"))
    ]


def test_split_shares_that_do_not_add_up_to_the_payment_are_flagged_on_every_order() -> None:
    orders = [import_order("A1", "100"), import_order("A2", "250.50")]
    after_grace = PLACED + POLICY.orphan_grace + timedelta(seconds=1)

    ledgers = reconcile(
        orders, [split({"A1": "100", "A2": "250.50"}, "360.50")], now=after_grace, policy=POLICY
    )

    found = flags_of(ledgers, FlagCode.SPLIT_SHARES_DO_NOT_ADD_UP)
    assert [(f.value, f.expected) for f in found] == [(D("350.50"), D("360.50"))] * 2


def test_split_shares_short_of_the_total_wait_for_the_missing_part_during_the_grace() -> None:
    orders = [import_order("A1", "100"), import_order("A2", "250.50")]
    at_the_deadline = PLACED + POLICY.orphan_grace

    ledgers = reconcile(
        orders, [split({"A1": "100", "A2": "250.50"}, "360.50")], now=at_the_deadline, policy=POLICY
    )

    assert flags_of(ledgers, FlagCode.SPLIT_SHARES_DO_NOT_ADD_UP) == []


def test_each_share_of_a_split_receipt_is_joined_to_the_settlement_of_its_own_document() -> None:
    first = receipt(orderNo="S1", charge="100", accountingDate="20240507120000")
    second = receipt(orderNo="S2", charge="50", accountingDate="20240507120000")
    run = settle(
        [first, second],
        through=PLACED.date(),
        rates=parse_rate_table("date,currency,cnyPerUnit\n2024-05-07,502,7.1225\n"),
        fees=parse_fee_table("payCode,basisPoints,minimumFee\n4403169D3W,10,5\n"),
    )
    record = FundsRecord(
        document_id="SPLIT:4403169D3W:P1",
        currency="502",
        total=D("150"),
        received_at=PLACED,
        shares=tuple(
            Share(d.order_key, d.charge, document_id=d.document_id) for d in (first, second)
        ),
    )

    ledgers = reconcile([], [record], now=PLACED, policy=POLICY, settlements=run.settlements)

    [settlement] = run.settlements
    assert [(e.document_id, e.settlement_id) for ledger in ledgers for e in ledger.entries] == [
        (first.document_id, settlement.settlement_id),
        (second.document_id, settlement.settlement_id),
    ]


def test_the_ledger_joins_the_order_its_funds_and_the_settlement_that_paid_them_out() -> None:
    dollars = receipt(charge="200.50", currency="502", accountingDate="20240507120000")
    run = settle(
        [dollars],
        through=PLACED.date(),
        rates=parse_rate_table("date,currency,cnyPerUnit\n2024-05-07,502,7.1225\n"),
        fees=parse_fee_table("payCode,basisPoints,minimumFee\n4403169D3W,10,5\n"),
    )
    unsettled = receipt(orderNo="order2024050711340002", charge="1", currency="502")

    ledgers = reconcile(
        [export_order()],
        [FundsRecord.from_document(dollars), FundsRecord.from_document(unsettled)],
        now=PLACED,
        policy=POLICY,
        settlements=run.settlements,
    )

    by_order = {ledger.key.order_no: ledger for ledger in ledgers}
    assert by_order["order2024050711340001"].settlement_ids == (run.settlements[0].settlement_id,)
    assert by_order["order2024050711340001"].entries[0].document_id == dollars.document_id
    assert by_order["order2024050711340002"].order is None
    assert by_order["order2024050711340002"].settlement_ids == ()


def test_an_import_voucher_never_matches_an_export_order_with_the_same_number() -> None:
    order = OrderFacts.export_order(
        order_no="order2016030811340007",
        ebc_code=EBP,
        goods_value=D("19050"),
        freight=D("0"),
        currency="142",
        placed_at=PLACED,
    )

    ledgers = reconcile([order], [paid()], now=PLACED, policy=POLICY)

    assert [ledger.key.flow for ledger in ledgers] == [Flow.EXPORT, Flow.IMPORT]


def test_the_same_funds_document_given_twice_is_refused() -> None:
    with pytest.raises(InconsistentInput, match="given twice"):
        reconcile([], [paid(), paid()], now=PLACED, policy=POLICY)


def test_the_same_order_given_twice_is_refused() -> None:
    with pytest.raises(InconsistentInput, match="given twice"):
        reconcile([import_order(), import_order()], [], now=PLACED, policy=POLICY)


@pytest.mark.parametrize(
    ("deadline", "grace", "tolerance"),
    [(timedelta(hours=-1), timedelta(0), D(0)), (timedelta(0), timedelta(0), D("-0.01"))],
)
def test_a_policy_with_negative_periods_or_tolerance_is_refused(
    deadline: timedelta, grace: timedelta, tolerance: Decimal
) -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        ReconciliationPolicy(funds_deadline=deadline, orphan_grace=grace, tolerance=tolerance)
