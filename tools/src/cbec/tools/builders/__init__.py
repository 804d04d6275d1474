"""Document builders: the customs standard's documents of an order, export and import, in the
JSON shape the gateway and the services take, with valid values given by keyword.

One module per family: :mod:`.orders` (CEB303/CEB311), :mod:`.funds` (CEB403/CEB411),
:mod:`.waybills` (CEB505/CEB511/CEB513), :mod:`.lists` (CEB603/CEB621), :mod:`.movements`
(CEB507/CEB607/CEB509/CEB711), :mod:`.returns` (CEB213/CEB215/CEB625), :mod:`.summary` (CEB701). The
load generator builds its traffic with them, and the tests import them through
``tests.support.builders``.

    from cbec.tools.builders import export_order, order_line
    export_order(order_no="EO1", ebp_code="3701960001", ebc_code="3701960002",
                 goods_value="80", freight="10", currency="502", app_time="20260305120000",
                 lines=[order_line(1, item_no="SKU1", item_name="shirt", unit="011",
                                   currency="502", qty="10", price="8", total_price="80")])
"""

from cbec.tools.builders.common import CHINA, CUSTOMS, amount, ceb_time, header, new_guid
from cbec.tools.builders.funds import payment, receipt_of_funds
from cbec.tools.builders.lists import export_inventory, import_inventory, inventory_line
from cbec.tools.builders.movements import (
    arrival,
    departure,
    master_bill,
    movement_head,
    site_entry,
)
from cbec.tools.builders.orders import export_order, import_order, import_order_line, order_line
from cbec.tools.builders.returns import (
    export_return,
    export_return_line,
    import_return,
    import_return_line,
    return_tally,
)
from cbec.tools.builders.summary import summary_application
from cbec.tools.builders.waybills import export_waybill, import_waybill, logistics_status

__all__ = [
    "CHINA",
    "CUSTOMS",
    "amount",
    "arrival",
    "ceb_time",
    "departure",
    "export_inventory",
    "export_order",
    "export_return",
    "export_return_line",
    "export_waybill",
    "header",
    "import_inventory",
    "import_order",
    "import_order_line",
    "import_return",
    "import_return_line",
    "import_waybill",
    "inventory_line",
    "logistics_status",
    "master_bill",
    "movement_head",
    "new_guid",
    "order_line",
    "payment",
    "receipt_of_funds",
    "return_tally",
    "site_entry",
    "summary_application",
]
