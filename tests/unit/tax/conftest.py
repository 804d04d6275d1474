from decimal import Decimal

import pytest

from cbec.tax_refund.domain.tables import HsList, HsRates, RateTable

D = Decimal


@pytest.fixture
def rates() -> RateTable:
    """Rates for the worked examples of DOMAIN.md §6.4, independent of the shipped examples."""
    return RateTable.of(
        [
            # cosmetics: VAT 13%, consumption tax 15%, MFN tariff 5%
            HsRates("3304", D("0.13"), D("0.15"), D("0.05"), D("0.13")),
            # goods without consumption tax, VAT 13%, tariff 10%
            HsRates("8509", D("0.13"), D("0"), D("0.10"), D("0.13")),
            # a refund rate of 9% for one subheading
            HsRates("61091000", D("0.13"), D("0"), D("0.06"), D("0.09")),
            # refund cancelled
            HsRates("4403", D("0.09"), D("0"), D("0"), D("0")),
        ],
        source="test rates",
    )


@pytest.fixture
def positive_list() -> HsList:
    return HsList.of(["3304", "8509"], source="test positive list")
