"""Fault drills on the whole platform: ERPs file generated export orders through the gateway while
processes are killed, the broker is paused or the database restarts; afterwards the outcome is
compared with a run of the same input without faults.

    with started_platform(folder, env=drill_env(folder)) as platform:
        enrolment = await Enrolment.of(platform, Workload.make(orders=300, seed=7, tag="B"))
        for tag, chaos in (("B", None), ("K", kill_each_service(["declaration"], seed=7))):
            workload = Workload.make(orders=300, seed=7, tag=tag)
            run = await Driver(platform, workload, enrolment=enrolment).run(chaos)
            outcomes[tag] = await collect(platform, workload, run, caller=as_caller)
    problems = sanity(outcomes["K"], run, workload) + compare(outcomes["B"], outcomes["K"])

The input is :mod:`cbec.tools.loadgen`'s (a seeded population of enterprises and their export
orders, each with its order, receipt of funds, waybill and inventory list), made with one fixed
time, so every run files exactly the same documents. The runs share one platform: each run's
documents carry numbers of their own (its tag is in each), and its outcome (final states,
receipts, events, what the inboxes applied during the run) is written with placeholders for
them, so that it compares with the fault-free run's. The ERPs behave as
ERPs do: the documents of a round of orders go as one batch per enterprise and kind, each with an
Idempotency-Key, sent again with the same key after a 503, a 409 (first sending still running), a
429, or no answer at all; the sellers poll their receipts. Any other answer (a refusal, a 5xx
other than 503) is recorded and fails the drill. The filing is paced and keeps a window of orders
on their way, so a fault holds it back rather than piling orders up, on a fast machine and on a
busy one alike.

A fault strikes just after a randomly chosen round was sent, with requests in flight; the filing
goes on through it (up to the round of the next fault). Its *outage* runs from the fault to its
end (the killed service started again, the broker resumed, the database up again); *ready* from
there until every process answers /readyz 200; its *recovery* from its end until every order on
its way then has all its answers and its list released, as the ERPs see it.
"""

from cbec.tools.drills.compare import compare, first_difference, report, sanity, write_report
from cbec.tools.drills.driver import Driver, Enrolment, Run
from cbec.tools.drills.faults import Chaos, Fault, kill_each_service, pause_broker, restart_database
from cbec.tools.drills.outcome import Outcome, collect, normalise
from cbec.tools.drills.workload import Batch, Platform, Workload, drill_env, order_count

__all__ = [
    "Batch",
    "Chaos",
    "Driver",
    "Enrolment",
    "Fault",
    "Outcome",
    "Platform",
    "Run",
    "Workload",
    "collect",
    "compare",
    "drill_env",
    "first_difference",
    "kill_each_service",
    "normalise",
    "order_count",
    "pause_broker",
    "report",
    "restart_database",
    "sanity",
    "write_report",
]
