"""
``bitget-nt sweep``: backtest a grid of strategy configs in parallel on Ray (architecture.md 3).

Each combination is the base config with one set of overrides, run by ``backtest/cli.py``
``execute`` (exactly what ``bitget-nt backtest`` runs) as one Ray task. Ray is a local runtime by
default (``--workers`` CPUs) or a running cluster (``--ray-address``); each task opens the catalog
itself (local path or fsspec URI), runs into a scratch folder and returns the output files, which
the driver writes to ``OUT/runs/<id>/`` and marks finished with ``row.json``. A re-run with the same
``--out`` skips finished combinations; a failing combination becomes a row with its error; Ctrl-C
cancels the tasks still running and keeps what finished.

``OUT/results.csv`` and ``OUT/results.json`` hold one row per combination; ``OUT/report.html``
(``sweep_report.py``) a sortable table and, for 2-D grids, a heatmap of ``--metric``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import itertools
import json
import os
import shutil
import socket
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import msgspec

from nautilus_bitget.backtest.cli import BacktestSettings
from nautilus_bitget.backtest.cli import execute
from nautilus_bitget.backtest.cli import settings_from_args
from nautilus_bitget.backtest.loader import StrategyLoadError
from nautilus_bitget.backtest.loader import build_config
from nautilus_bitget.backtest.loader import load_config_dict
from nautilus_bitget.backtest.loader import load_strategy
from nautilus_bitget.common.errors import BitgetConfigError
from nautilus_bitget.history.progress import progress_wanted
from nautilus_bitget.recorder.cli import storage_options_from_env


# results.json summary keys copied into each row (the same names as a backtest's results.json)
FIGURES = [
    "orders",
    "fills",
    "commissions_total",
    "funding_total",
    "realized_pnl_total",
    "ending_balance",
    "net_pnl",
    "max_drawdown",
    "max_drawdown_pct",
    "return_pct",
    "win_rate",
    "wall_secs",
]
ROW_FILE = "row.json"


class SweepError(BitgetConfigError):
    """The sweep cannot start as given; the message says what to change."""


@dataclass(frozen=True)
class Combination:
    """One grid point: its stable id, its overrides and the full run settings."""

    run_id: str
    overrides: dict[str, Any]
    settings: BacktestSettings


@dataclass
class SweepOutcome:
    """What ``run_sweep`` did: one row per combination (grid order) and whether it was cut short."""

    rows: list[dict[str, Any]]
    grid_fields: list[str]
    skipped: int = 0
    interrupted: bool = False
    out_dir: Path = field(default_factory=Path)

    @property
    def failed(self) -> list[dict[str, Any]]:
        """Return the rows of failed combinations."""
        return [r for r in self.rows if r["status"] == "error"]


def load_grid(source: str | Path | dict | list) -> list[dict[str, Any]]:
    """
    Return the list of override objects described by a grid.

    Parameters
    ----------
    source : str, Path, dict or list
        JSON file (or the parsed value): ``{field: [values, ...]}`` for the cartesian product, or
        ``[{field: value, ...}, ...]``.

    Returns
    -------
    list[dict[str, Any]]

    Raises
    ------
    SweepError
        If the grid is not one of the two shapes, or empty.

    """
    data: Any = source
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            raise SweepError(f"--grid {source}: file not found")
        try:
            data = json.loads(path.read_text())
        except json.JSONDecodeError as e:
            raise SweepError(f"--grid {source}: invalid JSON ({e})") from None
    if isinstance(data, dict):
        for name, values in data.items():
            if not isinstance(values, list) or not values:
                raise SweepError(f"--grid: field {name!r} must map to a non-empty list of values")
        names = list(data)
        product = itertools.product(*data.values())
        combos = [dict(zip(names, values, strict=True)) for values in product]
    elif isinstance(data, list) and all(isinstance(o, dict) for o in data):
        combos = [dict(o) for o in data]
    else:
        raise SweepError("--grid: expected {field: [values]} or a list of override objects")
    if not combos:
        raise SweepError("--grid: no combinations")
    return combos


def grid_fields(combos: list[dict[str, Any]]) -> list[str]:
    """Return the override field names in first-seen order."""
    return list(dict.fromkeys(k for c in combos for k in c))


def combination_id(settings: BacktestSettings) -> str:
    """Return a stable id of a run: the same strategy, config, catalog and options -> same id."""
    options = {k: v for k, v in settings.options.items() if k != "storage_options"}
    key = json.dumps(
        [settings.strategy, settings.catalog, settings.config, options],
        sort_keys=True,
        default=str,
    )
    return hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:12]


def plan(base: BacktestSettings, combos: list[dict[str, Any]]) -> list[Combination]:
    """Return one ``Combination`` per override set (config = base fields updated by overrides)."""
    fields = load_config_dict(base.config)
    out = []
    for overrides in combos:
        config = {**fields, **overrides}
        settings = base.replace(config=config, out=None)
        out.append(Combination(combination_id(settings), overrides, settings))
    ids = [c.run_id for c in out]
    if len(set(ids)) != len(ids):
        raise SweepError("--grid: the same combination appears twice")
    return out


def run_one(settings: BacktestSettings) -> dict[str, Any]:
    """
    Run one backtest into a scratch folder; return its figures and output files.

    Returns
    -------
    dict
        ``{"status": "ok", "summary": ..., "files": {name: bytes}}`` or
        ``{"status": "error", "error": "..."}``.

    """
    scratch = Path(tempfile.mkdtemp(prefix="bitget-nt-sweep-"))
    try:
        result = execute(settings.replace(out=str(scratch)))
        files = {p.name: p.read_bytes() for p in sorted(scratch.iterdir()) if p.is_file()}
        return {"status": "ok", "summary": result.summary, "files": files}
    except Exception as e:  # one failing combination must not stop the others
        return {"status": "error", "error": f"{type(e).__name__}: {e}"}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def run_sweep(
    base: BacktestSettings,
    grid: str | Path | dict | list,
    out_dir: str | Path,
    *,
    workers: int | None = None,
    ray_address: str | None = None,
    metric: str = "return_pct",
    progress: Callable[[dict[str, Any] | None, int, int], None] | None = None,
) -> SweepOutcome:
    """
    Backtest every grid combination on Ray and write the sweep outputs into ``out_dir``.

    Parameters
    ----------
    base : BacktestSettings
        The base run (its ``config`` is the base strategy config; ``out`` is ignored).
    grid : str, Path, dict or list
        The grid (``load_grid``).
    out_dir : str or Path
        Output folder; combinations already finished there are skipped.
    workers : int, optional
        Parallel runs (default: the CPU count, or the cluster's CPUs).
    ray_address : str, optional
        A running Ray cluster; default a local runtime (an already initialized Ray is reused).
    metric : str, default "return_pct"
        The heatmap metric of ``report.html``.
    progress : callable, optional
        Called with ``(None, done, total)`` at the start, then ``(row, done, total)`` after each
        combination.

    Returns
    -------
    SweepOutcome

    Raises
    ------
    SweepError, StrategyLoadError
        Bad grid, strategy or base config (before anything runs).

    """
    if workers is not None and workers < 1:
        raise SweepError(f"--workers must be >= 1, was {workers}")
    if metric not in FIGURES:
        raise SweepError(f"--metric {metric!r}: one of {', '.join(FIGURES)}")
    loaded = load_strategy(base.strategy)
    combos = load_grid(grid)
    known = {f.name for f in msgspec.structs.fields(loaded.config_cls)}
    unknown = [f for f in grid_fields(combos) if f not in known]
    if unknown:
        raise SweepError(
            f"--grid: {', '.join(map(repr, unknown))} not a field of {loaded.config_cls.__name__}",
        )
    combinations = plan(base, combos)
    out = Path(out_dir)
    (out / "runs").mkdir(parents=True, exist_ok=True)
    rows: dict[str, dict[str, Any]] = {}
    todo: list[Combination] = []
    skipped = 0
    for combo in combinations:
        done = _finished_row(out, combo.run_id)
        if done is not None:
            rows[combo.run_id] = done
            skipped += 1
            continue
        try:  # a bad value fails this combination only, before it reaches a worker
            build_config(loaded, combo.settings.config)  # type: ignore[arg-type]
        except StrategyLoadError as e:
            rows[combo.run_id] = _error_row(combo, str(e))
            continue
        todo.append(combo)
    outcome = SweepOutcome(rows=[], grid_fields=grid_fields(combos), skipped=skipped, out_dir=out)
    total, finished = len(combinations), len(combinations) - len(todo)
    if progress is not None:
        progress(None, finished, total)
    results = _ray_map(todo, workers, ray_address) if todo else iter(())
    try:
        for combo, result in results:
            row = _store(out, combo, result)
            rows[combo.run_id] = row
            finished += 1
            if progress is not None:
                progress(row, finished, total)
    except KeyboardInterrupt:
        outcome.interrupted = True
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            close()  # cancels what still runs and stops a Ray runtime started here
    outcome.rows = [rows[c.run_id] for c in combinations if c.run_id in rows]
    write_results(outcome, metric)
    return outcome


def _ray_map(todo: list[Combination], workers: int | None, ray_address: str | None):
    """Yield ``(combination, run_one result)`` as tasks finish, at most ``workers`` at a time."""
    import ray

    started_here = not ray.is_initialized()
    if started_here:
        _init_ray(workers, ray_address)
    limit = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
    task = ray.remote(num_cpus=1, max_retries=0)(run_one)
    pending: dict[Any, Combination] = {}
    queue = list(todo)
    try:
        while queue or pending:
            while queue and len(pending) < limit:
                combo = queue.pop(0)
                pending[task.remote(combo.settings)] = combo
            ready, _ = ray.wait(list(pending), num_returns=1)
            for ref in ready:
                combo = pending.pop(ref)
                try:
                    result = ray.get(ref)
                except Exception as e:  # the worker died (out of memory, killed ...)
                    result = {"status": "error", "error": f"{type(e).__name__}: {e}"}
                yield combo, result
    finally:
        if started_here:
            ray.shutdown()  # ends the tasks still running (they belong to this driver)
        else:
            for ref in pending:
                ray.cancel(ref)


def _init_ray(workers: int | None, address: str | None) -> None:
    import logging

    import ray

    kwargs: dict[str, Any] = {
        "include_dashboard": False,
        "log_to_driver": False,
        "logging_level": logging.ERROR,
        "configure_logging": True,
    }
    if address:
        _check_reachable(address)
        try:
            ray.init(address=address, **kwargs)
        except (ConnectionError, RuntimeError, ValueError) as e:
            raise SweepError(f"--ray-address {address}: cannot connect ({e})") from None
    else:
        ray.init(address="local", num_cpus=workers or os.cpu_count() or 1, **kwargs)


def _check_reachable(address: str) -> None:
    # ray.init retries an unreachable GCS for minutes: fail at start instead
    host, sep, port = address.removeprefix("ray://").rpartition(":")
    if not sep or not port.isdigit():
        return  # "auto" or a name Ray resolves itself
    try:
        socket.create_connection((host, int(port)), timeout=5).close()
    except OSError as e:
        raise SweepError(f"--ray-address {address}: cannot connect ({e})") from None


def _finished_row(out: Path, run_id: str) -> dict[str, Any] | None:
    path = out / "runs" / run_id / ROW_FILE
    if not path.is_file():
        return None
    try:
        row = json.loads(path.read_text())
    except json.JSONDecodeError:
        return None
    return row if row.get("status") == "ok" else None


def _error_row(combo: Combination, error: str) -> dict[str, Any]:
    return {"id": combo.run_id, "status": "error", "error": error, "overrides": combo.overrides}


def _store(out: Path, combo: Combination, result: dict[str, Any]) -> dict[str, Any]:
    if result["status"] != "ok":
        return _error_row(combo, result["error"])
    run_dir = out / "runs" / combo.run_id
    run_dir.mkdir(parents=True, exist_ok=True)
    for name, content in result["files"].items():
        (run_dir / name).write_bytes(content)
    summary = result["summary"]
    row = {
        "id": combo.run_id,
        "status": "ok",
        "error": "",
        "overrides": combo.overrides,
        **{k: summary.get(k) for k in FIGURES},
    }
    tmp = run_dir / f"{ROW_FILE}.tmp"
    tmp.write_text(json.dumps(row, indent=2, default=str) + "\n")
    tmp.replace(run_dir / ROW_FILE)  # the finished mark: written last, atomically
    return row


def write_results(outcome: SweepOutcome, metric: str) -> None:
    """Write ``results.json``, ``results.csv`` and ``report.html`` of the rows so far."""
    from nautilus_bitget.backtest.sweep_report import render_sweep_html

    out = outcome.out_dir
    (out / "results.json").write_text(json.dumps(outcome.rows, indent=2, default=str) + "\n")
    columns = ["id", "status", *outcome.grid_fields, *FIGURES, "error"]
    with (out / "results.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row in outcome.rows:
            flat = {**row, **{k: _cell(v) for k, v in row["overrides"].items()}}
            writer.writerow(flat)
    (out / "report.html").write_text(render_sweep_html(outcome.rows, outcome.grid_fields, metric))


def _cell(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, dict | list) else value


def _base_settings(args: argparse.Namespace) -> BacktestSettings:
    base = settings_from_args(args)
    catalog = base.catalog
    if "://" not in catalog:  # workers may run in another folder: give them an absolute path
        catalog = str(Path(catalog).resolve())
        if not Path(catalog).is_dir():
            raise SweepError(f"--catalog {args.catalog}: no such folder")
    strategy = base.strategy
    target, sep, cls = strategy.rpartition(":")
    if sep and target.endswith(".py"):
        strategy = f"{Path(target).resolve()}:{cls}"
    options = dict(base.options)
    storage = storage_options_from_env()
    if storage:
        options["storage_options"] = storage
    return base.replace(catalog=catalog, strategy=strategy, options=options)


def run(args: argparse.Namespace) -> int:
    """Run ``bitget-nt sweep`` with parsed ``args``; return the exit code."""
    base = _base_settings(args)
    report = _Progress(progress_wanted(sys.stdout))  # the one TTY / BITGET_NT_PROGRESS rule
    try:
        outcome = run_sweep(
            base,
            args.grid,
            args.out,
            workers=args.workers,
            ray_address=args.ray_address,
            metric=args.metric,
            progress=report.update,
        )
    finally:
        report.close()
    ok = sum(1 for r in outcome.rows if r["status"] == "ok")
    print(
        f"{ok} finished ({outcome.skipped} from an earlier run), {len(outcome.failed)} failed; "
        f"results in {outcome.out_dir}/results.csv and report.html",
    )
    for row in outcome.failed:
        print(f"  failed {row['id']} {json.dumps(row['overrides'])}: {row['error']}")
    if outcome.interrupted:
        print("interrupted: run the same command again to finish the remaining combinations")
        return 130
    return 1 if outcome.failed else 0


class _Progress:
    """A rich progress bar on a TTY, one plain line per combination otherwise."""

    def __init__(self, tty: bool) -> None:
        self._bar: Any = None
        self._task: Any = None
        self._tty = tty

    def update(self, row: dict[str, Any] | None, done: int, total: int) -> None:
        if row is None:  # the start
            if not self._tty:
                print(f"sweep: {total} combinations, {done} already finished", flush=True)
                return
            from rich.progress import Progress

            self._bar = Progress(transient=False)
            self._bar.start()
            self._task = self._bar.add_task("sweep", total=total, completed=done)
            return
        line = _describe(row)
        if self._bar is None:
            print(f"[{done}/{total}] {line}", flush=True)
            return
        self._bar.update(self._task, completed=done)
        self._bar.console.print(line)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def _describe(row: dict[str, Any]) -> str:
    overrides = " ".join(f"{k}={v}" for k, v in row["overrides"].items())
    if row["status"] != "ok":
        return f"{row['id']} {overrides}: FAILED {row['error']}"
    return (
        f"{row['id']} {overrides}: return {row['return_pct']}%, fills {row['fills']}, "
        f"{row['wall_secs']} s"
    )
