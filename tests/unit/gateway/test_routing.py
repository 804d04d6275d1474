"""Routing and authorisation: which service owns a path, who may use it, whose code it carries."""

from __future__ import annotations

import pytest

from cbec.gateway.errors import Forbidden
from cbec.gateway.routing import (
    MESSAGE_ROUTES,
    Role,
    check_parties,
    check_role,
    head_field,
    parse_roles,
    route_for,
)
from tests.unit.gateway.documents import export_order, export_waybill

SELLER = "3301963K69"
OTHER = "3301963K70"


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("/v1/export/orders", "declaration"),
        ("/v1/import/orders", "declaration"),
        ("/v1/export/inventories", "declaration"),
        ("/v1/import/revocations", "declaration"),
        ("/v1/export/summaries", "declaration"),
        ("/v1/officer/cases/42", "declaration"),
        ("/v1/export/waybills", "logistics"),
        ("/v1/import/waybill-statuses", "logistics"),
        ("/v1/export/return-tallies", "logistics"),
        ("/v1/warehouses/W1/stock", "logistics"),
        ("/v1/import/payments", "payments"),
        ("/v1/export/receipts", "payments"),
        ("/v1/export/invoices", "tax-refund"),
        ("/v1/export/orders/EO1", "declaration"),
    ],
)
def test_each_public_path_goes_to_its_service(path: str, service: str) -> None:
    route = route_for(path)
    assert route is not None
    assert route.service == service


def test_a_path_outside_the_table_has_no_route() -> None:
    assert route_for("/v1/export/ordersX") is None
    assert route_for("/v1/unknown") is None


def test_every_ceb_business_message_goes_to_the_path_of_its_documents() -> None:
    assert MESSAGE_ROUTES["CEB303Message"].path == "/v1/export/orders"
    assert MESSAGE_ROUTES["CEB621Message"].path == "/v1/import/inventories"
    assert MESSAGE_ROUTES["CEB411Message"].service == "payments"
    assert head_field("CEB303Message") == "OrderHead"
    assert head_field("CEB505Message") is None


def test_roles_are_read_from_a_comma_list_and_unknown_ones_refused() -> None:
    assert parse_roles("agent, ecommerce") == [Role.ECOMMERCE, Role.AGENT]
    with pytest.raises(ValueError, match="shipper"):
        parse_roles("ecommerce,shipper")


def test_a_role_may_only_submit_its_own_kind_of_document() -> None:
    orders = route_for("/v1/export/orders")
    assert orders is not None
    check_role(orders, {"ecommerce"})
    with pytest.raises(Forbidden) as refused:
        check_role(orders, {"logistics", "payment"})
    assert refused.value.status_code == 403
    assert refused.value.violations[0].field == "X-Cbec-Roles"


def test_officer_paths_are_for_officers_only() -> None:
    officer = route_for("/v1/officer/cases")
    assert officer is not None
    check_role(officer, {"customs-officer"})
    check_role(officer, {"tax-officer"})
    with pytest.raises(Forbidden):
        check_role(officer, {"ecommerce", "agent", "operator"})


def test_an_order_must_carry_the_code_of_the_submitting_enterprise() -> None:
    orders = route_for("/v1/export/orders")
    assert orders is not None
    check_parties(orders, SELLER, {"ecommerce"}, [export_order("EO1", SELLER)])
    # the platform files for a seller on it: its code is the ebpCode
    check_parties(orders, SELLER, {"ecommerce"}, [export_order("EO2", OTHER, ebp_code=SELLER)])
    with pytest.raises(Forbidden) as refused:
        check_parties(orders, SELLER, {"ecommerce"}, [export_order("EO3", OTHER)])
    fields = [v.field for v in refused.value.violations]
    assert fields == ["OrderHead.ebcCode", "OrderHead.ebpCode"]
    assert refused.value.violations[0].value == OTHER


def test_in_a_batch_the_refusal_names_the_document() -> None:
    orders = route_for("/v1/export/orders")
    assert orders is not None
    batch = [export_order("EO1", SELLER), export_order("EO2", OTHER)]
    with pytest.raises(Forbidden) as refused:
        check_parties(orders, SELLER, {"ecommerce"}, batch)
    assert refused.value.violations[0].field == "[1].OrderHead.ebcCode"


def test_a_waybill_must_carry_the_logistics_code_of_its_sender() -> None:
    waybills = route_for("/v1/export/waybills")
    assert waybills is not None
    check_parties(waybills, "LOGI000001", {"logistics"}, [export_waybill("LN1", "LOGI000001")])
    with pytest.raises(Forbidden) as refused:
        check_parties(waybills, "LOGI000001", {"logistics"}, [export_waybill("LN1", "LOGI000002")])
    assert refused.value.violations[0].field == "logisticsCode"


def test_an_agent_files_a_list_under_its_agent_code() -> None:
    lists = route_for("/v1/export/inventories")
    assert lists is not None
    document = {"InventoryHead": {"agentCode": "AGENT00001", "ebcCode": SELLER}}
    check_parties(lists, "AGENT00001", {"agent"}, [document])
    with pytest.raises(Forbidden):
        check_parties(lists, "AGENT00002", {"agent"}, [document])


def test_documents_without_a_ceb_model_are_checked_on_the_party_fields_they_carry() -> None:
    invoices = route_for("/v1/export/invoices")
    assert invoices is not None
    check_parties(invoices, SELLER, {"ecommerce"}, [{"invoiceNo": "F1"}])
    check_parties(invoices, SELLER, {"ecommerce"}, [{"ebcCode": SELLER}])
    with pytest.raises(Forbidden):
        check_parties(invoices, SELLER, {"ecommerce"}, [{"InvoiceHead": {"ebcCode": OTHER}}])
