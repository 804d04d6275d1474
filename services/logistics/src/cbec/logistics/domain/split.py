"""Reassembly of split messages (``msgCount`` / ``msgSeqNo``).

An arrival (CEB507), departure (CEB509) or master bill link (CEB607) too large for one message
is split: every part carries the total ``msgCount`` and its own ``msgSeqNo``, numbered from 1
without gaps (message standard 202205). Parts may arrive in any order and more than once::

    assembly = SplitMessage[Arrival](key="Cop20180507001")
    for part in received:
        assembly.add(part.msg_count, part.msg_seq_no, part)
    if assembly.complete:
        arrival = Arrival.combine(assembly.parts())

A part repeated with the same content is ignored; a part that contradicts what was received
(another ``msgCount``, other content under the same ``msgSeqNo``) is refused.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from cbec.logistics.domain.errors import SplitMessageConflict, SplitMessageIncomplete, Violation

T = TypeVar("T")


class SplitMessage(Generic[T]):
    """The parts received so far of one split message, identified by ``key`` (its copNo)."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.msg_count: int | None = None
        self._parts: dict[int, T] = {}

    def add(self, msg_count: int, msg_seq_no: int, part: T) -> bool:
        """Keep a part; False when it repeats one already held. Conflicts raise, change nothing."""
        if msg_count < 1:
            raise SplitMessageConflict(
                self.key, Violation(field="msgCount", rule="msgCount must be >= 1", value=msg_count)
            )
        if self.msg_count is not None and msg_count != self.msg_count:
            raise SplitMessageConflict(
                self.key,
                Violation(
                    field="msgCount",
                    rule="every part of a split message carries the same msgCount",
                    value=msg_count,
                    expected=self.msg_count,
                ),
            )
        if not 1 <= msg_seq_no <= msg_count:
            raise SplitMessageConflict(
                self.key,
                Violation(
                    field="msgSeqNo",
                    rule="msgSeqNo must be between 1 and msgCount",
                    value=msg_seq_no,
                    expected=f"1..{msg_count}",
                ),
            )
        held = self._parts.get(msg_seq_no)
        if held is not None:
            if held != part:
                raise SplitMessageConflict(
                    self.key,
                    Violation(
                        field="msgSeqNo",
                        rule="a part sent again must not differ from the part already received",
                        value=msg_seq_no,
                    ),
                )
            return False
        self.msg_count = msg_count
        self._parts[msg_seq_no] = part
        return True

    @property
    def missing(self) -> tuple[int, ...]:
        """The sequence numbers not received yet (all unknown until the first part)."""
        if self.msg_count is None:
            return ()
        return tuple(n for n in range(1, self.msg_count + 1) if n not in self._parts)

    @property
    def received(self) -> tuple[int, ...]:
        return tuple(sorted(self._parts))

    @property
    def complete(self) -> bool:
        return self.msg_count is not None and not self.missing

    def parts(self) -> list[T]:
        """The parts in sequence order 1..msgCount; SplitMessageIncomplete before that."""
        if self.msg_count is None:
            raise SplitMessageIncomplete(self.key, [1])
        if self.missing:
            raise SplitMessageIncomplete(self.key, self.missing)
        return [self._parts[n] for n in range(1, self.msg_count + 1)]
