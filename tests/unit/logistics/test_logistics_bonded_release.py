"""Bonded imports (1210): the goods are in the special customs zone already, so their parcel
takes the list's release without a site entry (CEB711); nothing else changes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cbec.logistics.domain import BONDED_TRADE_MODE, IllegalTransition, Movement, ParcelState
from tests.unit.logistics.logistics_builders import at, export_parcel, import_parcel

M, S = Movement, ParcelState
T0 = at("20261130100000")


def test_the_bonded_trade_mode_is_1210() -> None:
    assert BONDED_TRADE_MODE == "1210"


def test_a_bonded_import_parcel_is_released_then_delivered_without_a_site_entry() -> None:
    parcel = import_parcel("B1")
    assert not parcel.allows(M.LIST_RELEASED)
    assert parcel.allows(M.LIST_RELEASED, bonded=True)
    parcel.apply(M.LIST_RELEASED, T0, "43002026I000000001", bonded=True)
    assert (parcel.state, parcel.invt_no) == (S.LIST_RELEASED, "43002026I000000001")
    parcel.apply(M.DELIVERED, T0 + timedelta(hours=5), "CEB513")
    assert parcel.state is S.DELIVERED
    assert parcel.released_at == T0


def test_a_direct_purchase_parcel_still_needs_its_site_entry() -> None:
    parcel = import_parcel("D1")
    with pytest.raises(IllegalTransition) as refused:
        parcel.apply(M.LIST_RELEASED, T0, "43002026I000000002")
    assert refused.value.violations
    assert parcel.state is S.WAYBILL_REGISTERED
    parcel.apply(M.ENTERED_SITE, T0, "CEB711")
    parcel.apply(M.LIST_RELEASED, T0 + timedelta(hours=1), "43002026I000000002", bonded=True)
    assert parcel.state is S.LIST_RELEASED


def test_bonded_changes_only_the_release_of_an_import_parcel() -> None:
    parcel = import_parcel("B2")
    assert not parcel.allows(M.DELIVERED, bonded=True)
    with pytest.raises(IllegalTransition):
        parcel.apply(M.DELIVERED, T0, "CEB513", bonded=True)
    exported = export_parcel("E1")
    assert exported.next_state(M.LIST_RELEASED, bonded=True) is S.LIST_RELEASED
    assert exported.next_state(M.DELIVERED, bonded=True) is None
