"""Pure tax rules of the single window (DOMAIN.md §6): no I/O, no framework.

- exports without purchase invoices: VAT and consumption-tax exemption (财税〔2018〕103号);
- deemed corporate income tax of exempt exports (国家税务总局公告2019年第36号);
- export refund with invoices, FOB × refund rate at the month's customs exchange rate;
- import CBEC retail tax, its limits, the buyer's annual quota and the electronic tax bill
  (财关税〔2018〕49号).

Tables (rates, exchange rates, HS lists) come from data files: see ``tables`` and
``cbec.tax_refund.data``.
"""
