"""A made-up service with two events and a consumer, to exercise the contract machinery."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from pydantic import ConfigDict

from cbec.shared.envelope import Consumed, Event
from cbec.shared.service import ServiceDescriptor


class ParcelWeighed(Event):
    """A parcel was weighed at the site."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"logisticsNo": "SF1", "grossWeight": "1.25"}]}
    )
    event_type: ClassVar[str] = "cbec.sample.parcel.weighed.v1"
    topic: ClassVar[str] = "cbec.sample.v1"
    key_field: ClassVar[str] = "logisticsNo"
    logisticsNo: str
    grossWeight: Decimal


class ParcelLost(Event):
    """A parcel was reported lost."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"logisticsNo": "SF2"}]})
    event_type: ClassVar[str] = "cbec.sample.parcel.lost.v1"
    topic: ClassVar[str] = "cbec.sample.v1"
    key_field: ClassVar[str] = "logisticsNo"
    logisticsNo: str


class WeightView(Consumed):
    grossWeight: Decimal


class StrictWeightView(Consumed):
    grossWeight: Decimal
    netWeight: Decimal  # the producer never sends it: the contract test must catch this


EVENTS = (ParcelWeighed, ParcelLost)
CONSUMES = {ParcelWeighed.event_type: WeightView}
BROKEN_CONSUMES = {ParcelWeighed.event_type: StrictWeightView}

SAMPLE = ServiceDescriptor(
    name="sample",
    port=0,
    app="",
    topics=("cbec.sample.v1",),
    events="tests.contract.sample_service",
    consumes="tests.contract.sample_service",
)
