"""A process that dies by SIGKILL at a chosen point of the outbox's life (fault injection).

    python -m tests.support.relay_proc write-and-die BOOTSTRAP DATABASE_URL TOPIC COUNT
    python -m tests.support.relay_proc publish-and-die BOOTSTRAP DATABASE_URL TOPIC COUNT

``write-and-die`` commits COUNT events to the outbox and is killed before any relay runs;
``publish-and-die`` publishes the unsent rows, waits for the broker's acknowledgement, and is
killed before it marks them sent.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from tests.support.bus import BusRig, envelope


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


async def main(mode: str, bootstrap: str, database_url: str, topic: str, count: int) -> None:
    rig = await BusRig.create(bootstrap, database_url)
    if mode == "write-and-die":
        await rig.write(topic, [envelope(topic, f"k{i % 5}", i) for i in range(count)])
        _die()
    elif mode == "publish-and-die":

        async def _mark_sent_then_die(ids: list[int]) -> None:
            _die()

        rig.relay._mark_sent = _mark_sent_then_die  # type: ignore[method-assign]
        await rig.relay.publish_batch()
    raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    mode, bootstrap, url, topic, count = sys.argv[1:6]
    asyncio.run(main(mode, bootstrap, url, topic, int(count)))
