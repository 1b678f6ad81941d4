"""``PlanRows``: trigger and TP/SL plan listings of the API family in use."""

from __future__ import annotations

from typing import Any

from nautilus_bitget.api.trading import TradingApi
from nautilus_bitget.common.errors import BitgetRequestError
from nautilus_bitget.execution.bad_input import BadInputCounter
from nautilus_bitget.execution.context import Session


HISTORY_WINDOW_MS = 86_400_000  # plan history is read from a day before connect


class PlanRows:
    """
    List plan rows (v2 shapes): live plans, or the plan history since a day before connect.

    Parameters
    ----------
    api : TradingApi
        The API family in use.
    session : Session
        ``connected_ms`` bounds the history window.
    bad_inputs : BadInputCounter
        Where a refused history query is counted.

    """

    def __init__(self, api: TradingApi, session: Session, bad_inputs: BadInputCounter) -> None:
        self._api = api
        self._session = session
        self._bad_inputs = bad_inputs

    async def fetch(
        self,
        product_type: str,
        symbol: str | None,
        *,
        history: bool,
        plan_type: str = "normal_plan",
    ) -> list[Any]:
        """
        Return trigger (``normal_plan``) or TP/SL (``profit_loss``) plan rows.

        Raises
        ------
        BitgetError
            If the live listing fails; a refused history query returns ``[]`` (counted).

        """
        start_ms = max(self._session.connected_ms - HISTORY_WINDOW_MS, 0) or None
        try:
            return await self._api.trigger_orders(
                product_type,
                symbol,
                history=history,
                plan_type=plan_type,
                start_ms=start_ms if history else None,
            )
        except BitgetRequestError as e:
            if not history:
                raise
            # a refused history query (seen on v3 history-strategy-orders) is counted, not fatal
            self._bad_inputs.count("trigger order history", e)
            return []
