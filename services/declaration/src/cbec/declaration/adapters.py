"""The declaration service's ports to the outside: customs, and the tax service's quotas.

Customs decides on a list through :class:`CustomsPort`, with two adapters chosen by the setting
``CUSTOMS_ADAPTER``:

- ``rules`` (:class:`RulesCustoms`): the platform's own rules (validation, the three-document
  check of DOMAIN.md §4, risk screening of §9) decide at once;
- ``files`` (:class:`FileCustoms`): each declared list is written as a schema-valid CEB XML
  message into ``CUSTOMS_OUTBOX_DIR``; customs answers with receipt messages (CEB604, CEB622 ...)
  dropped into ``CUSTOMS_INBOX_DIR``, which :meth:`FileCustoms.pending_receipts` hands over.

The import limits (DOMAIN.md §6.4) are kept by the tax service: :class:`QuotaClient` reserves a
buyer's annual quota before an import list is released and cancels the reservation when the list
is withdrawn.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

import httpx

from cbec.declaration.domain import Decision
from cbec.shared.callers import TokenSigner
from cbec.shared.ceb import message_model, parse_message, to_xml
from cbec.shared.ceb.types import CebMessage

log = logging.getLogger(__name__)


class CustomsPort(Protocol):
    """Customs as the declaration service sees it."""

    name: str

    async def submit(self, declared: DeclaredList) -> Decision | None:
        """A list is declared (or one of its documents arrived): the decision now, or None when
        customs answers later with receipts."""
        ...


@dataclass(frozen=True, slots=True)
class DeclaredList:
    """What customs is given about a declared list."""

    ie_flag: str
    cop_no: str
    agent_code: str
    pre_no: str | None
    fingerprint: str
    entity: dict[str, Any]
    """The list as the standard's entity (``InventoryHead`` + ``InventoryList``)."""
    sender_code: str
    sender_name: str
    decide: Callable[[], Awaitable[Decision]]
    """The built-in rules' decision, computed only when an adapter asks for it."""


class RulesCustoms:
    """Built-in rules: validation, the three-document check, then risk screening."""

    name = "rules"

    async def submit(self, declared: DeclaredList) -> Decision | None:
        return await declared.decide()


MESSAGE_OF = {"E": "CEB603Message", "I": "CEB621Message"}


class FileCustoms:
    """File exchange with customs: CEB XML out, CEB receipt XML in."""

    name = "files"

    def __init__(
        self, outbox_dir: Path, inbox_dir: Path, dxp_id: str = "DXPCBEC0000000001"
    ) -> None:
        self.outbox_dir = outbox_dir
        self.inbox_dir = inbox_dir
        self.dxp_id = dxp_id

    def file_name(self, declared: DeclaredList) -> str:
        message = MESSAGE_OF[declared.ie_flag]
        return f"{message}_{declared.agent_code}_{declared.cop_no}_{declared.fingerprint[:16]}.xml"

    def message(self, declared: DeclaredList) -> CebMessage:
        """The list as a customs message, with the platform's preNo."""
        entity = dict(declared.entity)
        head = {**entity["InventoryHead"], "preNo": declared.pre_no}
        return message_model(MESSAGE_OF[declared.ie_flag]).model_validate(
            {
                "guid": str(uuid.uuid4()).upper(),
                "version": "1.0",
                "Inventory": [{**entity, "InventoryHead": head}],
                "BaseTransfer": {
                    "copCode": declared.sender_code,
                    "copName": declared.sender_name,
                    "dxpMode": "DXP",
                    "dxpId": self.dxp_id,
                },
            }
        )

    async def submit(self, declared: DeclaredList) -> Decision | None:
        """Write the list once per version (a changed list is a new file); customs decides."""
        self.outbox_dir.mkdir(parents=True, exist_ok=True)
        target = self.outbox_dir / self.file_name(declared)
        if not target.exists():
            data = to_xml(self.message(declared))
            partial = target.with_suffix(".part")
            partial.write_bytes(data)
            os.replace(partial, target)
        return None

    def pending_receipts(self) -> list[Path]:
        """Receipt files waiting in the inbox, oldest name first."""
        if not self.inbox_dir.is_dir():
            return []
        return sorted(p for p in self.inbox_dir.iterdir() if p.is_file() and p.suffix == ".xml")

    @staticmethod
    def read(path: Path) -> CebMessage:
        """Parse and schema-validate a receipt file (raises CebError when it is not one)."""
        return parse_message(path.read_bytes())

    def done(self, path: Path, *, failed: bool) -> None:
        """Move a handled file out of the inbox: to ``processed/`` or ``failed/``."""
        folder = self.inbox_dir / ("failed" if failed else "processed")
        folder.mkdir(parents=True, exist_ok=True)
        os.replace(path, folder / path.name)


# The tax service's quotas


class QuotaUnavailable(Exception):
    """The tax service did not answer as its contract says; the list waits and is retried."""


@dataclass(frozen=True, slots=True)
class QuotaAnswer:
    reserved: bool
    return_status: str | None = None
    detail: str = ""


class QuotaClient:
    """``POST /v1/import/quota/reservations`` and ``DELETE .../reservations/{invtNo}`` at the
    tax service (DOMAIN.md §6.4: 5,000 CNY per transaction, 26,000 per buyer and year), each
    with a caller token of the declaration service for the tax service."""

    AUDIENCE = "tax-refund"

    def __init__(self, http: httpx.AsyncClient, base_url: str, signer: TokenSigner) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.signer = signer

    def _token(self) -> dict[str, str]:
        return self.signer.authorization(self.AUDIENCE, subject=self.signer.issuer)

    async def reserve(
        self,
        *,
        invt_no: str,
        order_no: str,
        buyer_id_number: str,
        amount: Decimal,
        single_item: bool,
        day: str,
    ) -> QuotaAnswer:
        body = {
            "invtNo": invt_no,
            "orderNo": order_no,
            "buyerIdNumber": buyer_id_number,
            "amount": str(amount),
            "singleItem": single_item,
            "date": day,
        }
        try:
            response = await self.http.post(
                f"{self.base_url}/v1/import/quota/reservations",
                json=body,
                headers=self._token(),
            )
        except httpx.HTTPError as exc:
            raise QuotaUnavailable(f"tax service unreachable: {exc}") from exc
        if response.status_code in (200, 201):
            return QuotaAnswer(reserved=True)
        if response.status_code == 409:
            try:
                problem = response.json()
            except ValueError as exc:
                raise QuotaUnavailable("tax service answered 409 without a problem body") from exc
            status = str(problem.get("returnStatus") or "")
            if not status.startswith("-"):
                raise QuotaUnavailable(
                    f"tax service answered 409 without a returnStatus: {problem}"
                )
            return QuotaAnswer(False, status, str(problem.get("detail") or "quota refused"))
        raise QuotaUnavailable(
            f"tax service answered {response.status_code}: {response.text[:200]}"
        )

    async def cancel(self, invt_no: str) -> None:
        try:
            response = await self.http.delete(
                f"{self.base_url}/v1/import/quota/reservations/{invt_no}",
                headers=self._token(),
            )
        except httpx.HTTPError as exc:
            raise QuotaUnavailable(f"tax service unreachable: {exc}") from exc
        if response.status_code not in (200, 204, 404):
            raise QuotaUnavailable(f"tax service answered {response.status_code} to a cancel")
