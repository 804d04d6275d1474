"""A service's table of event handlers, typed: the handler's parameter is its event model.

Each consumer declares the model of the fields it reads from another service's event (a
:class:`~cbec.shared.envelope.Consumed`, tolerant of fields it does not know) and registers
one short function per event type. The registry gives the consumer loop its ``handlers`` and
the contract test its ``consumes`` (each type with the model it is read with)::

    handlers = HandlerRegistry()

    @handlers.on("cbec.payments.payment.accepted.v1")
    async def payment_accepted(event: PaymentSeen, ctx: HandlerContext) -> None:
        await use_cases.funds.payment_arrived(uow_of(ctx), event)

    ConsumerRunner(..., handlers=handlers.table())
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from cbec.shared.bus import Handler, HandlerContext
from cbec.shared.envelope import Consumed

C = TypeVar("C", bound=Consumed)
TypedHandler = Callable[[C, HandlerContext], Awaitable[None]]


class HandlerRegistry:
    """Which function reacts to which event type, and the model it reads the event with."""

    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}
        self._models: dict[str, type[Consumed]] = {}

    def on(self, event_type: str) -> Callable[[TypedHandler[C]], TypedHandler[C]]:
        """Register ``fn(event: Model, ctx)`` for ``event_type``; the model is read off ``fn``."""

        def register(fn: TypedHandler[C]) -> TypedHandler[C]:
            if event_type in self._handlers:
                raise ValueError(f"{event_type} already has a handler")
            model = _event_model(fn)
            self._models[event_type] = model

            async def handle(ctx: HandlerContext) -> None:
                await fn(ctx.parse(model), ctx)  # type: ignore[arg-type]

            handle.__name__ = handle.__qualname__ = fn.__name__
            self._handlers[event_type] = handle
            return fn

        return register

    def table(self) -> dict[str, Handler]:
        """Event type → handler, for :class:`~cbec.shared.bus.ConsumerRunner`."""
        return dict(self._handlers)

    def consumes(self) -> dict[str, type[Consumed]]:
        """Event type → the consumer's model of it (held against producers' examples)."""
        return dict(self._models)


def _event_model(fn: Callable[..., Any]) -> type[Consumed]:
    parameters = list(inspect.signature(fn).parameters.values())
    hints = typing.get_type_hints(fn)
    model = hints.get(parameters[0].name) if parameters else None
    if not (isinstance(model, type) and issubclass(model, Consumed)):
        raise TypeError(
            f"{fn.__name__}: the first parameter must be annotated with its event model"
        )
    return model
