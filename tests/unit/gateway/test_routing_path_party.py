"""Paths that name the enterprise they are about: an e-commerce enterprise may use them for its
own code only; the other roles the route admits (a warehouse's logistics operator, the tax
officers) may name any. And the routes of the import return receipts and the income tax."""

from __future__ import annotations

import pytest

from cbec.gateway.errors import Forbidden
from cbec.gateway.routing import Role, check_path_party, check_role, route_for

SELLER = "3702960001"
OTHER = "3702960002"


def _route(path: str):  # type: ignore[no-untyped-def]
    route = route_for(path)
    assert route is not None, path
    return route


@pytest.mark.parametrize(
    ("path", "service", "roles"),
    [
        ("/v1/export/income-tax/3702960001/2026", "tax-refund", {"ecommerce", "tax-officer"}),
        ("/v1/import/return-receipts", "logistics", {"logistics"}),
        ("/v1/warehouses/3702960001/LAX01/stock", "logistics", {"logistics", "ecommerce"}),
    ],
)
def test_the_routes_and_their_roles(path: str, service: str, roles: set[str]) -> None:
    route = _route(path)
    assert route.service == service
    assert {str(r) for r in route.roles} == roles


@pytest.mark.parametrize(
    "path",
    [
        f"/v1/warehouses/{SELLER}/LAX01/stock",
        f"/v1/warehouses/{SELLER}/LAX01/sales",
        f"/v1/export/income-tax/{SELLER}/2026",
    ],
)
def test_an_enterprise_may_use_a_path_naming_its_own_code(path: str) -> None:
    check_path_party(_route(path), path, SELLER, {"ecommerce"})


@pytest.mark.parametrize(
    "path",
    [
        f"/v1/warehouses/{OTHER}/LAX01/stock",
        f"/v1/warehouses/{OTHER}/LAX01/bookings",
        f"/v1/export/income-tax/{OTHER}/2026",
        "/v1/warehouses/",
    ],
)
def test_an_enterprise_may_not_use_a_path_naming_another(path: str) -> None:
    with pytest.raises(Forbidden) as refused:
        check_path_party(_route(path), path, SELLER, {"ecommerce"})
    (violation,) = refused.value.violations
    assert violation.field == "path"
    assert violation.expected == SELLER
    assert refused.value.status_code == 403


def test_the_other_roles_of_the_route_may_name_any_enterprise() -> None:
    stock = f"/v1/warehouses/{OTHER}/LAX01/stock"
    check_path_party(_route(stock), stock, "3702980002", {"logistics"})
    check_path_party(_route(stock), stock, SELLER, {"ecommerce", "logistics"})
    income = f"/v1/export/income-tax/{OTHER}/2026"
    check_path_party(_route(income), income, "4300000002", {Role.TAX_OFFICER})


def test_a_role_the_route_does_not_admit_is_refused_before_the_path_is_read() -> None:
    income = f"/v1/export/income-tax/{SELLER}/2026"
    with pytest.raises(Forbidden):
        check_role(_route(income), {"logistics", "customs-officer"})


def test_routes_without_a_named_enterprise_are_not_checked() -> None:
    path = "/v1/officer/cases"
    check_path_party(_route(path), path, SELLER, {"customs-officer"})
    orders = "/v1/export/orders/EO1"
    check_path_party(_route(orders), orders, SELLER, {"ecommerce"})
