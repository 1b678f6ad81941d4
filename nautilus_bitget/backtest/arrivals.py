"""
``CommandArrivals``: make the backtest venue act on a delayed command when it arrives.

With a ``LatencyModel`` the 1.231 ``BacktestEngine`` keeps a delayed command in flight and only
drains it when the next data point or timer is processed, *after* that data has been applied to
the venue. On a sparse recording (a book update every ~100 ms) a quote sent 5 ms after an update
then reaches the matching engine after the next update and its trades of the same timestamp: it
queues behind liquidity the trade already took and fills on a trade that happened before it
arrived. This actor sets a (no-op) time alert at each command's arrival time, so the engine
settles the venue at that time, before later data, as the live venue would.
"""

from __future__ import annotations

from nautilus_trader.common.actor import Actor
from nautilus_trader.common.config import ActorConfig
from nautilus_trader.model.events import OrderPendingCancel
from nautilus_trader.model.events import OrderPendingUpdate
from nautilus_trader.model.events import OrderSubmitted


class CommandArrivalsConfig(ActorConfig, frozen=True):
    """
    Configuration for ``CommandArrivals``.

    Parameters
    ----------
    insert_ns, update_ns, cancel_ns : int
        The latency model's delays (nanoseconds) of submit, modify and cancel commands.

    """

    insert_ns: int = 0
    update_ns: int = 0
    cancel_ns: int = 0


class CommandArrivals(Actor):
    """
    Wake the backtest engine when each delayed order command reaches the venue.

    Parameters
    ----------
    config : CommandArrivalsConfig
        The delays.

    """

    def __init__(self, config: CommandArrivalsConfig) -> None:
        super().__init__(config)
        self._delays = {
            OrderSubmitted: config.insert_ns,
            OrderPendingUpdate: config.update_ns,
            OrderPendingCancel: config.cancel_ns,
        }
        self._count = 0

    def on_start(self) -> None:
        """Subscribe to every order event."""
        self.msgbus.subscribe(topic="events.order.*", handler=self._on_event)

    def on_stop(self) -> None:
        """Stop listening (Nautilus warns about actors without ``on_stop``)."""
        self.msgbus.unsubscribe(topic="events.order.*", handler=self._on_event)

    def _on_event(self, event) -> None:
        delay = self._delays.get(type(event), 0)
        if delay <= 0:
            return
        self._count += 1
        self.clock.set_time_alert_ns(
            f"command-arrival-{self._count}",
            event.ts_init + delay,
            self._on_arrival,
        )

    def _on_arrival(self, event) -> None:
        """Nothing to do: the engine settles the venue at this time before calling back."""
