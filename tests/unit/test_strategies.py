"""Example strategy configs (JSON round trip, validation) and strategy loading by path."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from nautilus_bitget.backtest.loader import StrategyLoadError
from nautilus_bitget.backtest.loader import build_config
from nautilus_bitget.backtest.loader import create_strategy
from nautilus_bitget.backtest.loader import load_config_dict
from nautilus_bitget.backtest.loader import load_strategy
from strategies import BookMaker
from strategies import BookMakerConfig
from strategies import EMACross
from strategies import EMACrossConfig


REPO = Path(__file__).resolve().parents[2]
CONFIGS = REPO / "strategies" / "configs"


@pytest.mark.parametrize(
    ("file", "config_cls"),
    [
        ("ema_cross.json", EMACrossConfig),
        ("ema_cross_demo.json", EMACrossConfig),
        ("book_maker.json", BookMakerConfig),
    ],
)
def test_config_json_round_trip(file: str, config_cls: type) -> None:
    raw = (CONFIGS / file).read_text()
    config = config_cls.parse(raw)
    again = config_cls.parse(config.json())
    assert again == config
    assert json.loads(again.json()) == json.loads(config.json())
    for key, value in json.loads(raw).items():  # every JSON field is taken as written
        assert str(getattr(config, key)) == str(value) or getattr(config, key) == value


def test_demo_config_uses_internal_fast_bars() -> None:
    config = EMACrossConfig.parse((CONFIGS / "ema_cross_demo.json").read_text())
    assert str(config.bar_type).endswith("-SECOND-LAST-INTERNAL")
    default = EMACrossConfig.parse((CONFIGS / "ema_cross.json").read_text())
    assert str(default.bar_type) == "BTCUSDT-PERP.BITGET-1-MINUTE-LAST-EXTERNAL"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"fast_ema_period": 20, "slow_ema_period": 10}, "fast_ema_period"),
        ({"sizing": "kelly"}, "sizing"),
        ({"stop_mode": "maybe"}, "stop_mode"),
        ({"bar_type": "ETHUSDT-PERP.BITGET-1-MINUTE-LAST-EXTERNAL"}, "bar_type"),
    ],
)
def test_ema_config_errors_name_the_field(fields: dict, field: str) -> None:
    base = json.loads((CONFIGS / "ema_cross.json").read_text())
    loaded = load_strategy("strategies.ema_cross:EMACross")
    with pytest.raises(StrategyLoadError, match=field):
        build_config(loaded, {**base, **fields})


def test_load_by_module_path() -> None:
    loaded = load_strategy("strategies.book_maker:BookMaker")
    assert loaded.strategy_cls is BookMaker
    assert loaded.config_cls is BookMakerConfig
    assert loaded.config_path == "strategies.book_maker:BookMakerConfig"


def test_load_by_file_path() -> None:
    loaded = load_strategy(f"{REPO / 'strategies' / 'ema_cross.py'}:EMACross")
    assert loaded.strategy_cls.__name__ == "EMACross"
    assert loaded.config_cls.__name__ == "EMACrossConfig"
    module, _, cls = loaded.strategy_path.partition(":")
    assert cls == "EMACross"
    import importlib

    assert getattr(importlib.import_module(module), cls) is loaded.strategy_cls


def test_load_user_file_with_string_annotations(tmp_path: Path) -> None:
    path = tmp_path / "my_strategy.py"
    path.write_text(
        "from __future__ import annotations\n"
        "from nautilus_trader.config import StrategyConfig\n"
        "from nautilus_trader.trading.strategy import Strategy\n"
        "class MyConfig(StrategyConfig, frozen=True):\n"
        "    size: int = 1\n"
        "class Mine(Strategy):\n"
        "    def __init__(self, config: MyConfig) -> None:\n"
        "        super().__init__(config)\n",
    )
    strategy, loaded, fields = create_strategy(f"{path}:Mine", '{"size": 3}')
    assert loaded.config_cls.__name__ == "MyConfig"
    assert strategy.config.size == 3
    assert fields == {"size": 3}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("strategies.ema_cross", "expected"),
        ("strategies.nope:EMACross", "cannot import"),
        ("strategies.ema_cross:Nope", "not a Strategy"),
        ("/no/such/file.py:X", "not found"),
    ],
)
def test_bad_strategy_spec(spec: str, message: str) -> None:
    with pytest.raises(StrategyLoadError, match=message):
        load_strategy(spec)


def test_config_sources(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text('{"a": 1}')
    assert load_config_dict(path) == {"a": 1}
    assert load_config_dict(str(path)) == {"a": 1}
    assert load_config_dict('{"a": 2}') == {"a": 2}
    assert load_config_dict({"a": 3}) == {"a": 3}
    with pytest.raises(StrategyLoadError, match="JSON object"):
        load_config_dict("[1]")
    with pytest.raises(StrategyLoadError, match="not found"):
        load_config_dict(tmp_path / "missing.json")


def test_strategies_instantiate_from_shipped_configs() -> None:
    ema, _, _ = create_strategy("strategies.ema_cross:EMACross", CONFIGS / "ema_cross.json")
    assert isinstance(ema, EMACross)
    assert ema.config.trade_notional == Decimal(1000)
    maker, _, _ = create_strategy("strategies:BookMaker", CONFIGS / "book_maker.json")
    assert isinstance(maker, BookMaker)
