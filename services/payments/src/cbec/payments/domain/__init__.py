"""The payments service's pure rules: funds documents, duplicates, settlement, reconciliation.

No I/O and no framework here: the service's API and event handlers parse, call these
functions, and persist what they return.

- :mod:`.documents`: CEB411 payment vouchers and CEB403 receipts of funds, field validation;
- :mod:`.submissions`: new / sent again / conflicting (-401007) / change / delete of a document;
- :mod:`.tables`: the day's exchange rates and the institutions' fees, parsed from CSV text;
- :mod:`.settlement`: foreign-currency receipts settled in CNY per institution, payee and day;
- :mod:`.reconciliation`: a ledger per order, with its flags.
"""

from cbec.payments.domain.documents import (
    RECEIPT_RULES,
    VOUCHER_RULES,
    AppType,
    Flow,
    FundsDocument,
    OrderKey,
    PaymentVoucher,
    PersonIdentity,
    ReceiptOfFunds,
    business_content,
    parse_payment_voucher,
    parse_receipt_of_funds,
    validate_payment_voucher,
    validate_receipt_of_funds,
)
from cbec.payments.domain.errors import (
    InconsistentInput,
    InvalidFundsDocument,
    MalformedDataFile,
    PaymentsError,
)
from cbec.payments.domain.money import CNY, round_cny
from cbec.payments.domain.reconciliation import (
    Flag,
    FlagCode,
    FundsRecord,
    LedgerEntry,
    OrderFacts,
    OrderLedger,
    ReconciliationPolicy,
    Share,
    reconcile,
)
from cbec.payments.domain.settlement import (
    Settlement,
    SettlementLine,
    SettlementRun,
    SkippedDocument,
    settle,
    settlement_id,
)
from cbec.payments.domain.submissions import (
    DUPLICATE_PAYMENT_STATUS,
    SubmissionDecision,
    SubmissionKind,
    classify_submission,
)
from cbec.payments.domain.tables import (
    FeeSchedule,
    FeeTable,
    RateTable,
    parse_fee_table,
    parse_rate_table,
)

__all__ = [
    "CNY",
    "DUPLICATE_PAYMENT_STATUS",
    "RECEIPT_RULES",
    "VOUCHER_RULES",
    "AppType",
    "FeeSchedule",
    "FeeTable",
    "Flag",
    "FlagCode",
    "Flow",
    "FundsDocument",
    "FundsRecord",
    "InconsistentInput",
    "InvalidFundsDocument",
    "LedgerEntry",
    "MalformedDataFile",
    "OrderFacts",
    "OrderKey",
    "OrderLedger",
    "PaymentVoucher",
    "PaymentsError",
    "PersonIdentity",
    "RateTable",
    "ReceiptOfFunds",
    "ReconciliationPolicy",
    "Settlement",
    "SettlementLine",
    "SettlementRun",
    "Share",
    "SkippedDocument",
    "SubmissionDecision",
    "SubmissionKind",
    "business_content",
    "classify_submission",
    "parse_fee_table",
    "parse_payment_voucher",
    "parse_rate_table",
    "parse_receipt_of_funds",
    "reconcile",
    "round_cny",
    "settle",
    "settlement_id",
    "validate_payment_voucher",
    "validate_receipt_of_funds",
]
