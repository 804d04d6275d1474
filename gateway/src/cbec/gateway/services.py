"""Where ``IssuedCredentials`` was before the gateway had its rooms (``cbec.gateway.schemas``).

The load tools (``bench.py``, ``loadgen.py``, ``fairness.py``) still import it from here; they
move to their own package and import ``cbec.gateway.schemas`` instead, and this module goes.
"""

from cbec.gateway.schemas import IssuedCredentials

__all__ = ["IssuedCredentials"]
