"""
Load a user's Strategy class and its config (architecture.md section 3, ``--strategy`` /
``--config``).

``--strategy`` is ``package.module:Class`` or ``path/to/file.py:Class``; the config class is the
annotation of the ``config`` parameter of the strategy's ``__init__``; ``--config`` is a JSON object
of that config's fields. The same loading serves ``backtest`` and ``live``.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import sys
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
from nautilus_trader.config import StrategyConfig
from nautilus_trader.trading.strategy import Strategy

from nautilus_bitget.common.errors import BitgetConfigError


class StrategyLoadError(BitgetConfigError):
    """The ``--strategy`` or ``--config`` argument cannot be used; the message says why."""


@dataclass(frozen=True)
class LoadedStrategy:
    """
    A strategy class with its config class and importable paths.

    Attributes
    ----------
    strategy_cls : type[Strategy]
    config_cls : type[StrategyConfig]
    strategy_path : str
        ``module:Class`` importable in this process (file strategies get a registered module).
    config_path : str
        ``module:Class`` of the config.

    """

    strategy_cls: type[Strategy]
    config_cls: type[StrategyConfig]
    strategy_path: str
    config_path: str


def load_strategy(spec: str) -> LoadedStrategy:
    """
    Import the strategy named by ``spec`` and find its config class.

    Parameters
    ----------
    spec : str
        ``package.module:Class`` or ``path/to/file.py:Class``.

    Returns
    -------
    LoadedStrategy

    Raises
    ------
    StrategyLoadError
        If the module, the class or the config annotation cannot be found.

    """
    target, sep, class_name = spec.rpartition(":")
    if not sep or not target or not class_name:
        raise StrategyLoadError(
            f"--strategy {spec!r}: expected 'package.module:Class' or 'path/to/file.py:Class'",
        )
    module = _import_file(target) if target.endswith(".py") else _import_module(target)
    strategy_cls = getattr(module, class_name, None)
    if not isinstance(strategy_cls, type) or not issubclass(strategy_cls, Strategy):
        raise StrategyLoadError(f"--strategy {spec!r}: {class_name!r} is not a Strategy class")
    config_cls = _config_class(strategy_cls, spec)
    return LoadedStrategy(
        strategy_cls=strategy_cls,
        config_cls=config_cls,
        strategy_path=f"{strategy_cls.__module__}:{strategy_cls.__qualname__}",
        config_path=f"{config_cls.__module__}:{config_cls.__qualname__}",
    )


def load_config_dict(source: str | Path | dict[str, Any]) -> dict[str, Any]:
    """
    Return the config fields from a dict, a JSON file path or a JSON object string.

    Raises
    ------
    StrategyLoadError
        If the file is missing or is not a JSON object.

    """
    if isinstance(source, dict):
        return dict(source)
    text = str(source)
    if not text.lstrip().startswith(("{", "[")):
        path = Path(text)
        if not path.is_file():
            raise StrategyLoadError(f"--config {text!r}: file not found")
        text = path.read_text()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise StrategyLoadError(f"--config {source!s}: invalid JSON ({e})") from e
    if not isinstance(data, dict):
        raise StrategyLoadError(f"--config {source!s}: must be a JSON object of config fields")
    return data


def build_config(loaded: LoadedStrategy, fields: dict[str, Any]) -> StrategyConfig:
    """
    Validate ``fields`` against the strategy's config class and return the config.

    Raises
    ------
    StrategyLoadError
        With the config class and msgspec's message, which names the bad field.

    """
    try:
        return loaded.config_cls.parse(msgspec.json.encode(fields))
    except (msgspec.ValidationError, ValueError, TypeError) as e:
        raise StrategyLoadError(f"--config for {loaded.config_cls.__name__}: {e}") from e


def create_strategy(
    spec: str,
    config: str | Path | dict[str, Any],
) -> tuple[Strategy, LoadedStrategy, dict[str, Any]]:
    """
    Return a strategy instance built from ``spec`` and ``config``, plus what was loaded.

    Parameters
    ----------
    spec : str
        ``package.module:Class`` or ``path/to/file.py:Class``.
    config : str, Path or dict
        JSON file, JSON object string or dict of config fields.

    Returns
    -------
    tuple[Strategy, LoadedStrategy, dict[str, Any]]

    """
    loaded = load_strategy(spec)
    fields = load_config_dict(config)
    strategy = loaded.strategy_cls(build_config(loaded, fields))
    return strategy, loaded, fields


def _import_module(name: str):
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        raise StrategyLoadError(f"--strategy: cannot import module {name!r} ({e})") from e


def _import_file(path_str: str):
    path = Path(path_str).resolve()
    if not path.is_file():
        raise StrategyLoadError(f"--strategy: file {path_str!r} not found")
    # a unique, stable module name so the class is importable by 'module:Class' in this process
    digest = hashlib.sha1(str(path).encode(), usedforsecurity=False).hexdigest()[:8]
    name = f"bitget_nt_user_{path.stem}_{digest}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise StrategyLoadError(f"--strategy: cannot load {path_str!r} as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    sys.path.insert(0, str(path.parent))  # sibling imports of the user's file
    try:
        spec.loader.exec_module(module)
    except Exception:
        del sys.modules[name]
        raise
    return module


def _config_class(strategy_cls: type[Strategy], spec: str) -> type[StrategyConfig]:
    try:
        hints = typing.get_type_hints(strategy_cls.__init__)
    except Exception as e:
        raise StrategyLoadError(
            f"--strategy {spec!r}: cannot resolve __init__ annotations ({e})"
        ) from e
    annotation = hints.get("config")
    for candidate in typing.get_args(annotation) or (annotation,):
        if isinstance(candidate, type) and issubclass(candidate, StrategyConfig):
            return candidate
    raise StrategyLoadError(
        f"--strategy {spec!r}: {strategy_cls.__name__}.__init__ needs a 'config' parameter "
        "annotated with its StrategyConfig subclass",
    )
