"""Repositories of the payments service: typed domain objects in, rows out, and back.

Each works in the session of the unit of work it belongs to (:mod:`cbec.payments.unit_of_work`);
none commits.
"""

from cbec.payments.repository.flags import Flags
from cbec.payments.repository.funds import FundsDocuments, Receipts, Vouchers
from cbec.payments.repository.ledger import OrderLedgers
from cbec.payments.repository.settlements import Settlements
from cbec.payments.repository.tables import Tables

__all__ = [
    "Flags",
    "FundsDocuments",
    "OrderLedgers",
    "Receipts",
    "Settlements",
    "Tables",
    "Vouchers",
]
