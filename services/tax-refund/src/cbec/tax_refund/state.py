"""The tax service's loaded data tables, kept beside the runtime of the running app.

The shared ``Runtime`` has no slot for a service's own live objects, so the app's start hook
attaches the holder to it under one attribute, and this module is the one place that reads it::

    holder = tables_of(runtime)        # in a route (get_runtime) or a handler (ctx.runtime)
    holder.tables.rates.find("3304990099")
"""

from __future__ import annotations

from typing import Any

from cbec.tax_refund.services import TaxTablesHolder

_ATTRIBUTE = "tax_tables"


def attach(runtime: Any, holder: TaxTablesHolder) -> None:
    setattr(runtime, _ATTRIBUTE, holder)


def tables_of(runtime: Any) -> TaxTablesHolder:
    holder = getattr(runtime, _ATTRIBUTE, None)
    if not isinstance(holder, TaxTablesHolder):
        raise RuntimeError("the tax tables are not loaded: the app's start hook has not run")
    return holder
