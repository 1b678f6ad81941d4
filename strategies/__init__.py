"""
Example strategies that run unchanged in backtest (``bitget-nt backtest``) and live
(``bitget-nt live``): ``EMACross`` (bars) and ``BookMaker`` (L2 order book).

Each has a JSON config in ``strategies/configs/`` used as-is by both commands.
"""

from strategies.book_maker import BookMaker
from strategies.book_maker import BookMakerConfig
from strategies.ema_cross import EMACross
from strategies.ema_cross import EMACrossConfig


__all__ = ["BookMaker", "BookMakerConfig", "EMACross", "EMACrossConfig"]
