"""Settings of the tax-refund service (environment variables; see cbec.shared.settings)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from cbec.shared.settings import ServiceSettings
from cbec.tax_refund.domain import ImportTaxPolicy


class Settings(ServiceSettings):
    service_name: str = "tax-refund"
    database_url: str = "sqlite+aiosqlite:///./data/tax-refund.db"
    declaration_token_public_key: str | None = Field(
        default=None,
        description="the declaration service's Ed25519 public key (of its "
        "SERVICE_TOKEN_PRIVATE_KEY): only its caller tokens reach the quota reservations; unset: "
        "its public development key (refused with CBEC_ENV=production)",
    )
    tax_tables_dir: str | None = Field(
        default=None,
        description=(
            "folder of the data tables (hs_rates.csv, exchange_rates.csv, excluded_hs.csv, "
            "positive_list.csv, income_tax_relief.csv, zone_customs.csv, zone_enterprises.csv); "
            "unset: the shipped EXAMPLE tables"
        ),
    )
    # 财关税〔2018〕49号 (DOMAIN.md §6.4): the figures are settings so that a change of the
    # notice is a deployment, not a release.
    import_single_limit: Decimal = Field(default=Decimal("5000.00"), gt=0)
    import_annual_limit: Decimal = Field(default=Decimal("26000.00"), gt=0)
    import_retail_share: Decimal = Field(default=Decimal("0.7"), gt=0, le=1)
    import_return_apply_days: int = Field(default=30, ge=0)
    import_return_goods_days: int = Field(default=45, ge=0)

    def import_tax_policy(self) -> ImportTaxPolicy:
        """The figures of 财关税〔2018〕49号 as this deployment sets them."""
        return ImportTaxPolicy(
            single_limit=self.import_single_limit,
            annual_limit=self.import_annual_limit,
            retail_share=self.import_retail_share,
            return_apply_days=self.import_return_apply_days,
            return_goods_days=self.import_return_goods_days,
        )
