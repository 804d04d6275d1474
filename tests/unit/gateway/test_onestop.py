"""The one-stop view folded from the four services' events, the join keys, and receipts' parties."""

from __future__ import annotations

import json
import random

from cbec.declaration.events import ListAssessed
from cbec.gateway import domain as onestop
from cbec.gateway.domain import StoredEvent, fold_order, keys_of, next_status, receipt_parties
from cbec.shared.contracts import examples
from cbec.shared.envelope import Event
from tests.unit.gateway.flows import ExportOrder

ORDER = ExportOrder.of(
    "t0123456789ab",
    seller="3702960001",
    platform="4403169D3W",
    carrier="3702980002",
    payer="4403169PAY",
)


def _stored(events: list[Event]) -> list[StoredEvent]:
    return [
        StoredEvent(i + 1, e.event_type, f"2026-11-22T08:{i:02d}:00Z", e.to_data())
        for i, e in enumerate(events)
    ]


def _whole_life() -> list[Event]:
    declaration = ORDER.declaration()
    return [
        declaration[0],
        ORDER.waybill(),
        ORDER.arrival(),
        *declaration[1:4],
        ORDER.funds()[0],
        ORDER.departure(),
        declaration[4],
        ORDER.exemption(),
        *ORDER.funds()[1:],
    ]


def test_an_export_waybill_has_no_order_but_a_waybill_key_and_the_list_links_them() -> None:
    waybill = keys_of(onestop.WAYBILL_ACCEPTED, ORDER.waybill().to_data())
    listed = keys_of(onestop.LIST_STATUS_CHANGED, ORDER.declaration()[1].to_data())

    assert waybill.order_nos == ()
    assert waybill.waybill == (ORDER.carrier, ORDER.logistics_no)
    assert waybill.orders == ()
    assert waybill.links == (onestop.waybill_link(ORDER.carrier, ORDER.logistics_no),)
    assert waybill.provides == ()
    assert listed.order_nos == (ORDER.order_no,)
    assert listed.orders == ((ORDER.order_no, ORDER.seller),)
    assert listed.waybill == waybill.waybill
    assert onestop.waybill_link(ORDER.carrier, ORDER.logistics_no) in listed.provides


def test_an_event_without_its_seller_joins_by_a_link_a_declaration_event_makes() -> None:
    released = keys_of(onestop.LIST_RELEASED, ORDER.declaration()[3].to_data())
    departed = keys_of(onestop.PARCEL_MOVED, ORDER.departure().to_data())
    assessed = keys_of(
        onestop.IMPORT_TAX_ASSESSED,
        {"orderNo": ORDER.order_no, "invtNo": ORDER.invt_no, "taxNo": "T1", "total": "1"},
    )
    paid = keys_of(onestop.PAYMENT_ACCEPTED, {"orderNo": "IO1", "ebpCode": ORDER.platform})
    accepted = keys_of(onestop.ORDER_ACCEPTED, ORDER.declaration()[0].to_data())

    assert onestop.list_link(ORDER.invt_no) in released.provides
    # The departure names the order number but not its seller: it joins by its waybill first.
    assert departed.orders == ()
    assert departed.links[0] == onestop.waybill_link(ORDER.carrier, ORDER.logistics_no)
    assert departed.provides == (), "only the declaration service says whose a waybill is"
    assert (assessed.orders, assessed.links) == ((), (onestop.list_link(ORDER.invt_no),))
    assert paid.links == (onestop.platform_link(ORDER.platform, "IO1"),)
    assert onestop.platform_link(ORDER.platform, ORDER.order_no) in accepted.provides


def test_a_settlement_concerns_every_order_of_its_lines() -> None:
    keys = keys_of(onestop.SETTLEMENT_COMPLETED, ORDER.funds()[2].to_data())

    assert keys.order_nos == (ORDER.order_no, f"{ORDER.order_no}-OTHER")
    assert keys.parties == {"ebcCode": ORDER.seller, "payCode": ORDER.payer}


def test_list_events_set_the_status_and_a_changed_order_does_not_undo_a_release() -> None:
    status = None
    for event_type, data_status in [
        (onestop.ORDER_ACCEPTED, onestop.ORDER_ACCEPTED_STATUS),
        (onestop.LIST_STATUS_CHANGED, "2"),
        (onestop.LIST_STATUS_CHANGED, "120"),
        (onestop.LIST_RELEASED, "800"),
    ]:
        status = next_status(status, event_type, data_status)
    assert status == "800"
    assert next_status(status, onestop.ORDER_ACCEPTED, onestop.ORDER_ACCEPTED_STATUS) == "800"
    released = keys_of(onestop.LIST_RELEASED, ORDER.declaration()[3].to_data())
    assert released.status == "800"
    closed = keys_of(onestop.LIST_CLOSED, ORDER.declaration()[4].to_data())
    assert closed.status == "899"
    rejected = keys_of(onestop.LIST_REJECTED, {"orderNo": "EO1", "returnStatus": "100"})
    assert rejected.status == "100"


def test_the_view_joins_order_list_goods_funds_tax_and_discrepancies() -> None:
    view = fold_order(ORDER.order_no, _stored(_whole_life()))

    assert view["ieFlag"] == "E"
    assert view["status"] == "899"
    assert view["parties"] == {
        "ebcCode": ORDER.seller,
        "ebpCode": ORDER.platform,
        "agentCode": ORDER.seller,
        "logisticsCode": ORDER.carrier,
        "payCode": ORDER.payer,
    }
    assert view["order"]["goodsValue"] == "200.00"
    assert view["list"]["invtNo"] == ORDER.invt_no
    assert view["list"]["status"] == "899"
    assert [r["returnStatus"] for r in view["list"]["receipts"]] == ["2", "120"]
    assert view["funds"]["receipts"][0]["charge"] == "210.00"
    (settlement,) = view["funds"]["settlements"]
    assert [line["orderNo"] for line in settlement["lines"]] == [ORDER.order_no]
    (waybill,) = view["logistics"]["waybills"]
    assert waybill["logisticsNo"] == ORDER.logistics_no
    assert waybill["deleted"] is False
    assert [m["movement"] for m in view["logistics"]["movements"]] == ["arrived", "departed"]
    assert view["tax"]["exemptions"][0]["exempt"] is True
    (flag,) = view["discrepancies"]
    assert flag["kind"] == "funds-flagged"
    assert flag["flag"] == "underpaid"
    assert len(view["events"]) == len(_whole_life())


def test_the_view_depends_on_the_events_not_on_the_order_they_were_kept_in() -> None:
    events = _stored(_whole_life())
    shuffled = events[:]
    random.Random(7).shuffle(shuffled)

    assert fold_order(ORDER.order_no, shuffled) == fold_order(ORDER.order_no, events)


def test_a_rejected_list_and_an_incomplete_one_are_discrepancies_naming_the_rules() -> None:
    rejected = {
        "orderNo": ORDER.order_no,
        "ieFlag": "E",
        "copNo": ORDER.cop_no,
        "ebcCode": ORDER.seller,
        "rules": ["received amount 200.00 differs from goodsValue + freight 210.00"],
        "returnInfo": "received amount 200.00 differs from goodsValue + freight 210.00",
        "returnStatus": "100",
        "rejectedAt": "2026-11-22T09:00:00+08:00",
    }
    incomplete = {
        "orderNo": ORDER.order_no,
        "ieFlag": "E",
        "copNo": ORDER.cop_no,
        "ebcCode": ORDER.seller,
        "missing": ["waybill"],
        "deadline": "2026-11-23T08:00:00+08:00",
    }
    view = fold_order(
        ORDER.order_no,
        [
            StoredEvent(1, onestop.LIST_INCOMPLETE, "t1", incomplete),
            StoredEvent(2, onestop.LIST_REJECTED, "t2", rejected),
        ],
    )

    assert view["status"] == "100"
    assert [d["kind"] for d in view["discrepancies"]] == ["list-incomplete", "list-rejected"]
    assert view["discrepancies"][0]["missing"] == ["waybill"]
    assert view["discrepancies"][1]["rules"] == rejected["rules"]


def test_an_event_naming_no_enterprise_concerns_the_orders_seller_and_platform() -> None:
    flagged = keys_of(
        onestop.FUNDS_FLAGGED, {**ORDER.funds()[1].to_data(), "ebcCode": None, "ebpCode": None}
    )
    receipt = keys_of(onestop.RECEIPT_ACCEPTED, ORDER.funds()[0].to_data())

    assert receipt_parties(flagged, [ORDER.seller, ORDER.platform]) == [
        ORDER.seller,
        ORDER.platform,
    ]
    assert receipt_parties(receipt, ["SOMEONE"]) == [ORDER.seller, ORDER.platform, ORDER.payer]


def test_each_topic_belongs_to_one_officers_feed() -> None:
    assert onestop.feed_of("cbec.declaration.v1") == onestop.CUSTOMS_FEED
    assert onestop.feed_of("cbec.logistics.v1") == onestop.CUSTOMS_FEED
    assert onestop.feed_of("cbec.payments.v1") == onestop.TAX_FEED
    assert onestop.feed_of("cbec.tax.v1") == onestop.TAX_FEED
    assert onestop.feed_of("cbec.other.v1") is None


def test_customs_reasons_are_in_an_officers_view_and_nowhere_in_an_enterprises() -> None:
    keys = ORDER.parties()
    held = _assessed(keys, returnStatus="300", declarantInfo="held for manual review")
    decided = _assessed(keys, index=1, returnStatus="800", declarantInfo="released")
    events = _stored([*_whole_life()[:4], held, *_whole_life()[4:], decided])

    officer = fold_order(ORDER.order_no, events, officer=True)
    enterprise = fold_order(ORDER.order_no, events)

    assert [c["returnStatus"] for c in officer["customs"]] == ["300", "800"]
    assert officer["customs"][0]["reasons"][0]["rule"] == "price-far-from-usual"
    assert officer["customs"][1]["reasons"][0]["detail"] == "signed edition, invoice seen"
    assert onestop.LIST_ASSESSED in {e["type"] for e in officer["events"]}
    assert "customs" not in enterprise
    assert onestop.LIST_ASSESSED not in {e["type"] for e in enterprise["events"]}
    text = json.dumps(enterprise)
    for secret in ("price-far-from-usual", "usual 8", "factor 3", "signed edition", "4300000009"):
        assert secret not in text
    # Apart from the officers' part, both see the same order.
    assert {k: v for k, v in officer.items() if k not in ("customs", "events")} == {
        k: v for k, v in enterprise.items() if k != "events"
    }
    assert not onestop.for_enterprises(onestop.LIST_ASSESSED)
    assert onestop.for_enterprises(onestop.LIST_STATUS_CHANGED)


def _assessed(keys: dict[str, object], index: int = 0, **values: object) -> Event:
    example = examples(ListAssessed)[index].to_data()
    return ListAssessed.model_validate(
        {**example, **{k: v for k, v in keys.items() if k in example or k == "copNo"}, **values}
    )
