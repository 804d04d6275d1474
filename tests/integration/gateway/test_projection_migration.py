"""The projection's rows of before orders were keyed by their seller are carried over."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command

from cbec.shared.migrations import alembic_config

pytestmark = pytest.mark.integration

SPEC = "cbec.gateway:migrations"


def test_orders_parties_events_and_waybill_links_take_the_seller_their_events_named(
    tmp_path: Path,
) -> None:
    path = tmp_path / "gateway.db"
    config = alembic_config(SPEC, f"sqlite+aiosqlite:///{path}")
    command.upgrade(config, "af0eb88cd2ad")
    with sqlite3.connect(path) as db:
        db.executescript(
            """
            INSERT INTO event_record (seq, event_id, topic, feed, type, source, time, data,
                logistics_code, logistics_no, received_at)
            VALUES (1, 'e1', 't', 'customs', 'x', 's', '2026-01-01', '{}', 'L1', 'SF1',
                    '2026-01-01'),
                   (2, 'e2', 't', 'customs', 'x', 's', '2026-01-01', '{}', 'L2', 'SF2',
                    '2026-01-01');
            INSERT INTO event_order (order_no, seq) VALUES ('EO1', 1);
            INSERT INTO order_view (id, order_no, ie_flag, status, first_seen, updated_at)
            VALUES (1, 'EO1', 'E', '800', '2026-01-01', '2026-01-01');
            INSERT INTO order_party (order_no, code, role)
            VALUES ('EO1', 'S1', 'ebcCode'), ('EO1', 'P1', 'ebpCode');
            INSERT INTO waybill_link (logistics_code, logistics_no, order_no)
            VALUES ('L1', 'SF1', 'EO1');
            """
        )
    command.upgrade(config, "head")
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT order_no, ebc_code FROM order_view").fetchall() == [("EO1", "S1")]
        assert sorted(db.execute("SELECT * FROM order_party").fetchall()) == [
            ("EO1", "S1", "P1", "ebpCode"),
            ("EO1", "S1", "S1", "ebcCode"),
        ]
        assert db.execute("SELECT * FROM event_order").fetchall() == [("EO1", "S1", 1)]
        assert db.execute("SELECT * FROM order_link").fetchall() == [("W|L1|SF1", "EO1", "S1")]
        # The waybill event no order had claimed waits for its link; the joined one does not.
        assert db.execute("SELECT seq, link_key FROM event_record ORDER BY seq").fetchall() == [
            (1, None),
            (2, "W|L2|SF2"),
        ]
        db.execute(
            "INSERT INTO order_view (order_no, ebc_code, first_seen, updated_at) "
            "VALUES ('EO1', 'S2', '2026-01-01', '2026-01-01')"
        )
        with pytest.raises(sqlite3.IntegrityError):
            db.execute(
                "INSERT INTO order_view (order_no, ebc_code, first_seen, updated_at) "
                "VALUES ('EO1', 'S2', '2026-01-01', '2026-01-01')"
            )
