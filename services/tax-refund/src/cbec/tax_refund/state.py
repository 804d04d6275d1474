"""The tax service's loaded data tables, kept on the runtime of the running app::

holder = tables_of(runtime)        # in a route (get_runtime) or a handler (ctx.runtime)
holder.tables.rates.find("3304990099")
"""

from __future__ import annotations

from cbec.shared.service import Runtime
from cbec.tax_refund.services import TaxTablesHolder


def attach(runtime: Runtime, holder: TaxTablesHolder) -> None:
    runtime.attach(holder)


def tables_of(runtime: Runtime) -> TaxTablesHolder:
    return runtime.part(TaxTablesHolder)
