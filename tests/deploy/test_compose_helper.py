"""The compose reader interpolates as Compose does and gives a service its exact environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from .compose import (
    ComposeError,
    MissingVariable,
    Reference,
    interpolate,
    read_env_file,
    references,
    service_environment,
)

ENV = {"SET": "value", "EMPTY": ""}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", "plain"),
        ("${SET}", "value"),
        ("$SET/x", "value/x"),
        ("${UNSET}", ""),
        ("${SET:-fallback}", "value"),
        ("${EMPTY:-fallback}", "fallback"),
        ("${UNSET:-fallback}", "fallback"),
        ("${EMPTY-fallback}", ""),
        ("${UNSET-fallback}", "fallback"),
        ("${SET:?needed}", "value"),
        ("${EMPTY?needed}", ""),
        ("${SET:+alt}", "alt"),
        ("${EMPTY:+alt}", ""),
        ("${EMPTY+alt}", "alt"),
        ("${UNSET+alt}", ""),
        ("${UNSET:-${SET}}", "value"),
        ("${UNSET:-a${UNSET:-b}c}", "abc"),
        ("$$SET", "$SET"),
        ("cost: 5$", "cost: 5$"),
        ("postgresql://u:${SET:?x}@db:5432/u", "postgresql://u:value@db:5432/u"),
    ],
)
def test_interpolation_follows_the_compose_specification(text: str, expected: str) -> None:
    assert interpolate(text, ENV) == expected


@pytest.mark.parametrize("text", ["${UNSET:?set it}", "${EMPTY:?set it}", "${UNSET?set it}"])
def test_a_required_variable_without_a_value_is_an_error_naming_it(text: str) -> None:
    with pytest.raises(MissingVariable, match="set it") as raised:
        interpolate(text, ENV)
    assert raised.value.name in {"UNSET", "EMPTY"}


@pytest.mark.parametrize("text", ["${}", "${1X}", "${X:=y}", "${UNCLOSED"])
def test_a_malformed_reference_is_refused(text: str) -> None:
    with pytest.raises(ComposeError):
        interpolate(text, ENV)


def test_references_include_those_nested_in_defaults() -> None:
    assert references("${A:-${B}} $C $$D") == [
        Reference("A", ":-", "${B}"),
        Reference("B"),
        Reference("C"),
    ]


def test_env_file_lines_are_read_with_quotes_and_comments(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text(
        "# comment\n\nA=1\nexport B=\"two words\"\nC=three # note\nD=\nE='#kept'\n",
        encoding="utf-8",
    )
    assert read_env_file(path) == {"A": "1", "B": "two words", "C": "three", "D": "", "E": "#kept"}


def test_an_env_file_line_without_equals_is_refused(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text("JUSTANAME\n", encoding="utf-8")
    with pytest.raises(ComposeError, match="KEY=VALUE"):
        read_env_file(path)


def test_a_service_gets_the_platform_settings_from_the_compose_file() -> None:
    env = service_environment("declaration")
    assert env["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert env["KAFKA_ENABLE_IDEMPOTENCE"] == "true"
    assert env["KAFKA_TOPIC_PARTITIONS"] == read_env_file()["KAFKA_TOPIC_PARTITIONS"]
    assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://jaeger:4318"
    assert env["OTEL_SERVICE_NAME"] == "cbec-declaration"
    assert env["DB_MIGRATE_ON_START"] == "false"
    password = read_env_file()["DECLARATION_DB_PASSWORD"]
    assert env["DATABASE_URL"] == (
        f"postgresql+asyncpg://declaration:{password}@postgres:5432/declaration"
    )


def test_overrides_win_over_the_env_file_like_shell_variables() -> None:
    env = service_environment(
        "gateway", overrides={"GATEWAY_SECRET_KEY": "k", "LOG_LEVEL": "DEBUG"}
    )
    assert env["GATEWAY_SECRET_KEY"] == "k"
    assert env["LOG_LEVEL"] == "DEBUG"
    assert env["DECLARATION_URL"] == "http://declaration:8001"


def test_a_missing_secret_stops_the_environment_with_its_message(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("LOG_LEVEL=INFO\n", encoding="utf-8")
    with pytest.raises(MissingVariable) as raised:
        service_environment("payments", env_file=env_file)
    assert raised.value.name == "PAYMENTS_DB_PASSWORD"
    assert ".env.example" in raised.value.message


def test_an_unknown_service_is_an_error_listing_the_known_ones() -> None:
    with pytest.raises(ComposeError, match="declaration"):
        service_environment("customs")


def test_pass_through_entries_are_taken_from_the_source_or_left_out(tmp_path: Path) -> None:
    compose_file = tmp_path / "compose.yml"
    compose_file.write_text(
        "services:\n  app:\n    image: app:1.0\n    environment:\n"
        "      - FROM_SHELL\n      - ABSENT\n      - FIXED=1\n",
        encoding="utf-8",
    )
    env_file = tmp_path / ".env"
    env_file.write_text("", encoding="utf-8")
    env = service_environment(
        "app", compose_file=compose_file, env_file=env_file, overrides={"FROM_SHELL": "x"}
    )
    assert env == {"FROM_SHELL": "x", "FIXED": "1"}
