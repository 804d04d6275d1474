"""The payments service's use cases, one module per family; each takes a unit of work.

- :mod:`.documents` (with :mod:`.kinds`): filing payment vouchers and receipts of funds;
- :mod:`.orders`: the order ledger from the declaration service's events;
- :mod:`.tables`: the rate and fee tables;
- :mod:`.settlement`: settling receipts in CNY, and the settlements on file;
- :mod:`.reconciliation`: flags raised and resolved;
- :mod:`.queries`: an order's ledgers, the flags, the counts;
- :mod:`.runs`: the runs on demand and on the schedule, one at a time.
"""
