"""The committed contracts are what the code produces; consumers read what producers send."""

from __future__ import annotations

import dataclasses
import json
import types
from pathlib import Path

import jsonschema
import pytest

from cbec.shared.contracts import (
    CE_HEADERS_SCHEMA,
    check,
    contract_pairs,
    event_schema,
    events_of,
    examples,
    generate,
)
from cbec.shared.envelope import Envelope
from cbec.shared.registry import services
from cbec.shared.settings import ServiceSettings
from cbec.shared.signing import development_signer, source_of, verifier_from_settings
from cbec.shared.topics import TOPIC_OWNERS, owners_of
from tests.contract import sample_service
from tests.contract.sample_service import SAMPLE, ParcelWeighed

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_contracts_are_what_the_code_produces() -> None:
    assert check(ROOT / "contracts") == []


def test_the_check_reports_a_stale_a_missing_and_an_extra_contract_file(tmp_path: Path) -> None:
    generate(tmp_path, [SAMPLE])
    schema = tmp_path / "sample" / "cbec.sample.parcel.weighed.v1.schema.json"
    schema.write_text(schema.read_text().replace("grossWeight", "gross_weight"))
    (tmp_path / "sample" / "cbec.sample.parcel.lost.v1.schema.json").unlink()
    (tmp_path / "sample" / "cbec.sample.parcel.found.v1.schema.json").write_text("{}")

    problems = check(tmp_path, [SAMPLE])

    assert problems == [
        "missing: sample/cbec.sample.parcel.lost.v1.schema.json",
        "no longer produced: sample/cbec.sample.parcel.found.v1.schema.json",
        "stale: sample/cbec.sample.parcel.weighed.v1.schema.json (run `make contracts`)",
    ]


def test_the_asyncapi_document_has_every_topic_its_dlq_and_every_event(tmp_path: Path) -> None:
    generate(tmp_path, [SAMPLE])
    document = json.loads((tmp_path / "asyncapi.json").read_text())

    assert document["asyncapi"] == "3.0.0"
    addresses = {c["address"] for c in document["channels"].values()}
    assert addresses == {"cbec.sample.v1", "cbec.sample.v1.dlq"}
    names = {m["name"] for m in document["components"]["messages"].values()}
    assert names == {"cbec.sample.parcel.weighed.v1", "cbec.sample.parcel.lost.v1", "deadLetter"}
    weighed = document["components"]["messages"]["cbec_sample_parcel_weighed_v1"]
    assert weighed["examples"][0]["payload"] == {"logisticsNo": "SF1", "grossWeight": "1.25"}


def _all_events() -> list[type]:
    return [e for d in [*services(), SAMPLE] for e in events_of(d)]


@pytest.mark.parametrize("event", _all_events(), ids=lambda e: e.event_type)
def test_every_published_event_has_examples_that_match_its_schema_and_survive_the_envelope(
    event: type,
) -> None:
    found = examples(event)
    assert found, f"{event.event_type} has no example"
    schema = event_schema(event)
    owner = TOPIC_OWNERS.get(event.topic, SAMPLE.name)
    verifier = verifier_from_settings(
        ServiceSettings(service_name="contract"), owners_of([event.topic], {event.topic: owner})
    )
    for example in found:
        data = example.to_data()
        jsonschema.validate(data, schema)
        envelope = Envelope.of(example, source=source_of(owner))
        key = example.key().encode()
        signed = development_signer(owner).sign(
            event.topic, key, envelope.to_kafka_headers(), envelope.body()
        )
        jsonschema.validate({k: v.decode() for k, v in signed}, CE_HEADERS_SCHEMA)
        assert verifier.verify(event.topic, key, signed, envelope.body()) == owner
        again = Envelope.from_kafka(signed, envelope.body())
        assert again.parse(event) == example
        assert again.subject == example.key()


def _pairs() -> list[tuple]:
    return contract_pairs([*services(), SAMPLE])


@pytest.mark.parametrize("pair", _pairs(), ids=lambda p: f"{p[0]}<-{p[1]}")
def test_every_consumer_model_reads_every_example_of_the_events_it_consumes(pair: tuple) -> None:
    _consumer, _type, model, producer = pair
    for example in examples(producer):
        model.model_validate(example.to_data())


def test_a_consumer_model_that_wants_a_field_the_producer_never_sends_is_caught() -> None:
    module = types.SimpleNamespace(CONSUMES=sample_service.BROKEN_CONSUMES)
    broken = dataclasses.replace(SAMPLE, consumes="tests.contract.broken_view")
    import sys

    sys.modules["tests.contract.broken_view"] = module  # type: ignore[assignment]
    try:
        (_c, _t, model, producer) = contract_pairs([broken])[0]
        (example,) = examples(producer)
        with pytest.raises(ValueError, match="netWeight"):
            model.model_validate(example.to_data())
    finally:
        del sys.modules["tests.contract.broken_view"]


def test_a_consumer_of_an_event_nobody_publishes_is_an_error() -> None:
    lonely = dataclasses.replace(SAMPLE, events=None)
    with pytest.raises(LookupError, match=r"consumes cbec\.sample\.parcel\.weighed\.v1"):
        contract_pairs([lonely])


def test_examples_are_validated_against_their_own_model() -> None:
    assert (
        examples(ParcelWeighed)[0].grossWeight
        == ParcelWeighed(logisticsNo="SF1", grossWeight="1.25").grossWeight
    )
