"""The document builders of every test (``cbec.tools.builders``, which the load generator uses
too): orders, receipts of funds, waybills, lists and movements, export and import."""

from cbec.tools.builders import *  # noqa: F403
from cbec.tools.builders import __all__  # noqa: F401
