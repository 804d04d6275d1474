"""Summary declaration of export lists (清单核放、汇总申报, DOMAIN.md §5).

The closed (899) export lists of a calendar month whose `statisticsFlag` is B are
consolidated into declaration forms. Grouping follows 海关总署公告2018年第194号 as it is
implemented in practice (the key set is to be verified, DOMAIN.md §5): one form per consignor
(`ebcCode`), producer/seller (`ownerCode`, only when `summaryFlag` is 2), transport mode
(`trafMode`), destination country (`country`) and exit customs (`portCode`); within a form the
list lines merge into one item per HS code (`gcode`), final destination country, currency and
declared unit (and per original item name when `itemNameFlag` is 1), summing quantities and
values. A form holds at most `max_items_per_form` items; more start another form. The result
maps every list line to (`declSeqNo`, `gseqno`), as a CEB792 summary result does.

A list belongs to the month it was released in. A list is never summarised twice: the
:class:`SummaryLedger` remembers which lists went into which month; lists that close after
their month's summary go into a supplementary summary of that month::

    result = summarise(candidates, application, ledger, rules.summary, decl_seq_numbers("S"))
    ledger = ledger.record(result)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from cbec.declaration.domain.codes import ListStatus, StatisticsFlag, SummaryFlag
from cbec.declaration.domain.config import SummaryRules
from cbec.declaration.domain.documents import ExportInventory, ExportInventoryLine

QUANTUM = Decimal("0.00001")
DECL_SEQ_NO_LENGTH = 18


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """A calendar month."""

    year: int
    month: int

    @classmethod
    def of(cls, day: date | datetime) -> Period:
        return cls(day.year, day.month)

    def next(self) -> Period:
        return Period(self.year + self.month // 12, self.month % 12 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True, slots=True)
class SummaryCandidate:
    """An export list as the summary sees it: the list, its status, when it was released."""

    inventory: ExportInventory
    status: ListStatus
    released_at: datetime

    @property
    def invt_no(self) -> str:
        return self.inventory.invt_no or ""


@dataclass(frozen=True, slots=True)
class SummaryApplication:
    """What a summary application (CEB701) asks for; `ebc_code` None takes every consignor."""

    period: Period
    summary_flag: SummaryFlag = SummaryFlag.BY_CONSIGNOR
    item_name_flag: bool = False
    ebc_code: str | None = None


@dataclass(frozen=True, slots=True)
class DeclarationItem:
    gseqno: int
    gcode: str
    gname: str
    item_name: str | None
    country: str
    currency: str
    unit: str
    qty: Decimal
    unit1: str
    qty1: Decimal
    unit2: str | None
    qty2: Decimal | None
    total_price: Decimal

    @property
    def price(self) -> Decimal:
        return (self.total_price / self.qty).quantize(QUANTUM, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class FormKey:
    ebc_code: str
    owner_code: str | None
    traf_mode: str
    country: str
    port_code: str


@dataclass(frozen=True, slots=True)
class DeclarationForm:
    decl_seq_no: str
    key: FormKey
    items: tuple[DeclarationItem, ...]
    invt_nos: tuple[str, ...]
    gross_weight: Decimal
    net_weight: Decimal


@dataclass(frozen=True, slots=True)
class LineAssignment:
    """One line of a CEB792 summary result: a list line and the form item it went into."""

    invt_no: str
    logistics_no: str
    gnum: int
    gcode: str
    decl_seq_no: str
    gseqno: int


@dataclass(frozen=True, slots=True)
class SummaryResult:
    period: Period
    supplementary: bool
    forms: tuple[DeclarationForm, ...]
    assignments: tuple[LineAssignment, ...]
    excluded: tuple[tuple[str, str], ...] = ()
    """Lists of the month left out, with the reason (e.g. not yet closed)."""

    @property
    def invt_nos(self) -> frozenset[str]:
        return frozenset(a.invt_no for a in self.assignments)

    def assignment_of(self, invt_no: str, gnum: int) -> tuple[str, int]:
        for a in self.assignments:
            if a.invt_no == invt_no and a.gnum == gnum:
                return a.decl_seq_no, a.gseqno
        raise KeyError((invt_no, gnum))


@dataclass(frozen=True, slots=True)
class SummaryLedger:
    """Which lists have been summarised (and in which month), and which months have had
    their summary. Recording a result gives a new ledger."""

    summarised: Mapping[str, Period] = field(default_factory=dict)
    periods: frozenset[Period] = frozenset()

    def record(self, result: SummaryResult) -> SummaryLedger:
        summarised = dict(self.summarised)
        summarised.update(dict.fromkeys(result.invt_nos, result.period))
        return SummaryLedger(summarised, self.periods | {result.period})


def decl_seq_numbers(prefix: str) -> Callable[[int], str]:
    """Form numbers `prefix` + a zero-padded serial, 18 characters in all."""
    width = DECL_SEQ_NO_LENGTH - len(prefix)
    if width < 1:
        raise ValueError(f"declSeqNo prefix {prefix!r} leaves no room for a serial")

    def number(serial: int) -> str:
        return f"{prefix}{serial:0{width}d}"

    return number


def _exclusion(candidate: SummaryCandidate, ledger: SummaryLedger) -> str | None:
    """Why a list of the month does not go into this summary; None when it does."""
    invt = candidate.inventory
    if not candidate.invt_no:
        return "the list has no invtNo"
    if invt.statistics_flag is not StatisticsFlag.CONSOLIDATED:
        return "statisticsFlag A: simplified declaration, no declaration form"
    if candidate.invt_no in ledger.summarised:
        return f"already summarised in {ledger.summarised[candidate.invt_no]}"
    if candidate.status is not ListStatus.CLOSED:
        return f"not closed (status {candidate.status.value})"
    return None


def _form_key(invt: ExportInventory, application: SummaryApplication) -> FormKey:
    by_owner = application.summary_flag is SummaryFlag.BY_CONSIGNOR_AND_OWNER
    return FormKey(
        ebc_code=invt.ebc_code,
        owner_code=invt.owner_code if by_owner else None,
        traf_mode=invt.traf_mode,
        country=invt.country,
        port_code=invt.port_code,
    )


def _sort_key(key: FormKey) -> tuple[str, ...]:
    return (key.ebc_code, key.owner_code or "", key.traf_mode, key.country, key.port_code)


ItemKey = tuple[str, str, str, str, str]


def _item_key(line: ExportInventoryLine, item_name_flag: bool) -> ItemKey:
    name = line.goods_name if item_name_flag else ""
    return (line.gcode, line.country, line.currency, line.unit, name)


def _merge(lines: list[ExportInventoryLine], gseqno: int, item_name_flag: bool) -> DeclarationItem:
    first = lines[0]
    qty2s = [line.qty2 for line in lines if line.qty2 is not None]
    return DeclarationItem(
        gseqno=gseqno,
        gcode=first.gcode,
        gname=first.gname,
        item_name=first.goods_name if item_name_flag else None,
        country=first.country,
        currency=first.currency,
        unit=first.unit,
        qty=sum((line.qty for line in lines), Decimal(0)),
        unit1=first.unit1,
        qty1=sum((line.qty1 for line in lines), Decimal(0)),
        unit2=first.unit2,
        qty2=sum(qty2s, Decimal(0)) if qty2s else None,
        total_price=sum((line.total_price for line in lines), Decimal(0)),
    )


def _apportion(total: Decimal, shares: list[Decimal]) -> list[Decimal]:
    """Split `total` in proportion to `shares`, at 5 decimals, the last part taking the rest."""
    whole = sum(shares, Decimal(0))
    if whole == 0:
        return [total] + [Decimal(0)] * (len(shares) - 1)
    parts = [(total * s / whole).quantize(QUANTUM, rounding=ROUND_HALF_UP) for s in shares[:-1]]
    return [*parts, total - sum(parts, Decimal(0))]


Member = tuple[SummaryCandidate, ExportInventoryLine]
"""A list line and the list it belongs to."""


def _select(
    candidates: Iterable[SummaryCandidate], application: SummaryApplication, ledger: SummaryLedger
) -> tuple[list[SummaryCandidate], list[tuple[str, str]]]:
    """The month's lists (of the asked consignor) that go in, and those left out with why,
    both by invtNo."""
    included: list[SummaryCandidate] = []
    excluded: list[tuple[str, str]] = []
    for candidate in sorted(candidates, key=lambda c: c.invt_no):
        invt = candidate.inventory
        if Period.of(candidate.released_at) != application.period:
            continue
        if application.ebc_code is not None and invt.ebc_code != application.ebc_code:
            continue
        reason = _exclusion(candidate, ledger)
        if reason is None:
            included.append(candidate)
        else:
            excluded.append((candidate.invt_no, reason))
    return included, excluded


def _by_form(
    included: list[SummaryCandidate], application: SummaryApplication
) -> dict[FormKey, list[SummaryCandidate]]:
    groups: dict[FormKey, list[SummaryCandidate]] = defaultdict(list)
    for candidate in included:
        groups[_form_key(candidate.inventory, application)].append(candidate)
    return groups


def _by_item(group: list[SummaryCandidate], item_name_flag: bool) -> dict[ItemKey, list[Member]]:
    """The lines of a form group merged per item key, each list's lines by gnum."""
    by_item: dict[ItemKey, list[Member]] = defaultdict(list)
    for candidate in group:
        for line in sorted(candidate.inventory.lines, key=lambda ln: ln.gnum):
            by_item[_item_key(line, item_name_flag)].append((candidate, line))
    return by_item


@dataclass(frozen=True, slots=True)
class _FilledForm:
    """The items of one form, where each list line went, and each list's value in it."""

    items: tuple[DeclarationItem, ...]
    assignments: tuple[LineAssignment, ...]
    value_of_list: Mapping[str, Decimal]


def _fill_form(
    item_keys: list[ItemKey],
    by_item: Mapping[ItemKey, list[Member]],
    decl_seq_no: str,
    item_name_flag: bool,
) -> _FilledForm:
    items: list[DeclarationItem] = []
    assignments: list[LineAssignment] = []
    value_of_list: dict[str, Decimal] = defaultdict(Decimal)
    for gseqno, item_key in enumerate(item_keys, start=1):
        members = by_item[item_key]
        items.append(_merge([line for _, line in members], gseqno, item_name_flag))
        for candidate, line in members:
            value_of_list[candidate.invt_no] += line.total_price
            assignments.append(
                LineAssignment(
                    invt_no=candidate.invt_no,
                    logistics_no=candidate.inventory.logistics_no,
                    gnum=line.gnum,
                    gcode=line.gcode,
                    decl_seq_no=decl_seq_no,
                    gseqno=gseqno,
                )
            )
    return _FilledForm(tuple(items), tuple(assignments), value_of_list)


def _shared_weights(
    group: list[SummaryCandidate], value_in_form: Mapping[str, list[Decimal]], forms: int
) -> tuple[list[Decimal], list[Decimal]]:
    """Gross and net weight per form: each list's weights shared out over the forms its lines
    went into, in proportion to its value in each."""
    gross = [Decimal(0)] * forms
    net = [Decimal(0)] * forms
    for candidate in group:
        shares = value_in_form[candidate.invt_no]
        invt = candidate.inventory
        for index, part in enumerate(_apportion(invt.gross_weight, shares)):
            gross[index] += part
        for index, part in enumerate(_apportion(invt.net_weight, shares)):
            net[index] += part
    return gross, net


def _group_forms(
    key: FormKey,
    group: list[SummaryCandidate],
    numbers: list[str],
    item_keys: list[list[ItemKey]],
    by_item: Mapping[ItemKey, list[Member]],
    item_name_flag: bool,
) -> tuple[list[DeclarationForm], list[LineAssignment]]:
    """The forms of one form group, `item_keys[i]` going into the form numbered `numbers[i]`."""
    filled = [
        _fill_form(chunk, by_item, number, item_name_flag)
        for chunk, number in zip(item_keys, numbers, strict=True)
    ]
    # Value of each list's lines per form of this group, to share its weights out.
    value_in_form = {
        c.invt_no: [form.value_of_list.get(c.invt_no, Decimal(0)) for form in filled] for c in group
    }
    gross, net = _shared_weights(group, value_in_form, len(filled))
    forms = [
        DeclarationForm(
            decl_seq_no=numbers[index],
            key=key,
            items=form.items,
            invt_nos=tuple(c.invt_no for c in group if value_in_form[c.invt_no][index] > 0),
            gross_weight=gross[index],
            net_weight=net[index],
        )
        for index, form in enumerate(filled)
    ]
    return forms, [a for form in filled for a in form.assignments]


def summarise(
    candidates: Iterable[SummaryCandidate],
    application: SummaryApplication,
    ledger: SummaryLedger,
    rules: SummaryRules,
    decl_seq_no: Callable[[int], str],
) -> SummaryResult:
    """Consolidate the month's closed B lists not yet summarised into declaration forms.

    The result depends only on the inputs (lists and items are ordered by their keys), so
    running it again gives the same forms; once recorded in the ledger, the same lists are
    never counted again. `decl_seq_no(n)` numbers the n-th form of this result.
    """
    included, excluded = _select(candidates, application, ledger)
    groups = _by_form(included, application)
    size = rules.max_items_per_form
    forms: list[DeclarationForm] = []
    assignments: list[LineAssignment] = []
    for key in sorted(groups, key=_sort_key):
        by_item = _by_item(groups[key], application.item_name_flag)
        item_keys = sorted(by_item)
        chunks = [item_keys[i : i + size] for i in range(0, len(item_keys), size)]
        numbers = [decl_seq_no(len(forms) + i + 1) for i in range(len(chunks))]
        group_forms, placed = _group_forms(
            key, groups[key], numbers, chunks, by_item, application.item_name_flag
        )
        forms += group_forms
        assignments += placed
    assignments.sort(key=lambda a: (a.invt_no, a.gnum))
    return SummaryResult(
        period=application.period,
        supplementary=application.period in ledger.periods,
        forms=tuple(forms),
        assignments=tuple(assignments),
        excluded=tuple(excluded),
    )


def summary_deadline(period: Period, rules: SummaryRules) -> date:
    """DOMAIN.md §5: a month's lists are consolidated by the 15th of the next month, or the
    next working day when that day is not one."""
    following = period.next()
    return rules.calendar.on_or_after(date(following.year, following.month, rules.deadline_day))


def summary_is_late(
    period: Period, rules: SummaryRules, *, today: date, summarised_on: date | None = None
) -> bool:
    """Whether a month's summary was made after its deadline, or is still missing past it."""
    deadline = summary_deadline(period, rules)
    if summarised_on is not None:
        return summarised_on > deadline
    return today > deadline
