"""
Recording the whole venue: ``bitget-nt record --symbols all`` over ``bitget-nt sim --contracts N``.

The simulator (``--contracts 500`` by default: half the books update every 50-100 ms, the rest
every 0.5-1 s, plus trades, candles and tickers) runs in its own process, the recorder in another
(``--shards K`` starts K recorder processes with ``--shard I/K`` into one catalog). Both are
sampled every second from ``/proc`` (CPU as % of one core, RSS). At the end the bench reads the
session manifests (rows per type, gaps, resyncs), the simulator's ``/_sim/ws`` (connections and
channels per connection) and checks the targets:

- the recorder ran its ``--duration`` and exited 0
- recorder CPU < 100 % of one core (mean over the steady part, after the subscriptions settle;
  per process with ``--shards``)
- 0 gaps (no fault is injected), bounded RSS (the last third's peak within 25 % of the middle
  third's), every instrument recorded
- channels per connection <= 50, connections <= 100 per IP (bitget-protocol.md 3.1)

Figures go to ``bench/results.json`` key ``record_venue`` (read-modify-write).

Run: ``.venv/bin/python bench/record_venue.py [--contracts 500] [--duration 600] [--shards 1]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results.json"
TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
WARMUP_SECS = 30.0  # subscriptions and first snapshots; excluded from the steady-state CPU


def cpu_secs(pid: int) -> float:
    """Return user + system CPU seconds of ``pid`` (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_mb(pid: int) -> float:
    """Return the resident set size of ``pid`` in MB."""
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * PAGE / 1e6


def start_sim(contracts: int, seed: int) -> tuple[subprocess.Popen, str]:
    cmd = [sys.executable, "-m", "nautilus_bitget.cli", "sim", "--port", "0"]
    cmd += ["--contracts", str(contracts), "--seed", str(seed)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("READY"):
        proc.kill()
        raise SystemExit(f"simulator did not start: {line!r}")
    http = line.split("http=")[1].split()[0]
    return proc, http


def start_recorder(
    http: str, catalog: str, duration: float, flush_secs: float, shard: str | None, log: Path
) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "nautilus_bitget.cli", "record", "--symbols", "all"]
    cmd += ["--env", "sim", "--http-url", http, "--catalog", catalog]
    cmd += ["--duration", str(duration), "--flush-secs", str(flush_secs)]
    if shard:
        cmd += ["--shard", shard]
    env = {**os.environ, "BITGET_NT_LOG_LEVEL": "WARNING", "BITGET_NT_STATUS": "0"}
    with open(log, "wb") as out:
        return subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env)


def sim_ws(http: str) -> dict:
    with urllib.request.urlopen(f"{http}/_sim/ws", timeout=10) as r:
        return json.loads(r.read())


def ws_rate(sent: list[tuple[float, int]]) -> int:
    """Frames per second the simulator sent, between the first poll and the busiest one (the
    sum drops once the recorder closes its sockets)."""
    if len(sent) < 2:
        return 0
    last = max(sent, key=lambda x: x[1])
    return round((last[1] - sent[0][1]) / (last[0] - sent[0][0])) if last[0] > sent[0][0] else 0


def summarize_manifests(catalog: str) -> dict:
    sessions = sorted(Path(catalog, "recorder", "sessions").glob("*.json"))
    rows: dict[str, int] = {}
    symbols: set[str] = set()
    gaps = resyncs = 0
    overlaps: list[str] = []
    for path in sessions:
        m = json.loads(path.read_text())
        shard_symbols = set(m.get("symbols", []))
        overlaps += sorted(symbols & shard_symbols)
        symbols |= shard_symbols
        gaps += len(m.get("gaps", []))
        resyncs += len(m.get("resyncs", []))
        for cov in m.get("coverage", []):
            rows[cov["type"]] = rows.get(cov["type"], 0) + cov["count"]
    return {
        "sessions": len(sessions),
        "symbols": len(symbols),
        "symbols_in_two_shards": overlaps,
        "rows_by_type": rows,
        "gaps": gaps,
        "resyncs": resyncs,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contracts", type=int, default=500)
    parser.add_argument("--duration", type=float, default=600.0, help="seconds of recording")
    parser.add_argument("--shards", type=int, default=1, help="recorder processes (--shard I/K)")
    parser.add_argument("--flush-secs", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the catalog (path printed)")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-record-venue-"))
    catalog = str(tmp / "catalog")
    sim, http = start_sim(args.contracts, args.seed)
    recorders: list[subprocess.Popen] = []
    samples: list[dict] = []
    try:
        for i in range(args.shards):
            shard = f"{i + 1}/{args.shards}" if args.shards > 1 else None
            log = tmp / f"recorder-{i + 1}.log"
            recorders.append(
                start_recorder(http, catalog, args.duration, args.flush_secs, shard, log)
            )
        t0 = time.monotonic()
        ws_peak: dict = {}
        sent: list[tuple[float, int]] = []  # (time, frames the simulator sent on public sockets)
        last = {p.pid: cpu_secs(p.pid) for p in [sim, *recorders]}
        last_t = t0
        while any(p.poll() is None for p in recorders):
            time.sleep(1.0)
            now = time.monotonic()
            row: dict = {"t": round(now - t0, 1)}
            procs = [("sim", sim)] + [(f"rec{i + 1}", p) for i, p in enumerate(recorders)]
            for name, proc in procs:
                if proc.poll() is not None:
                    continue
                try:
                    c = cpu_secs(proc.pid)
                    row[f"{name}_cpu"] = round((c - last[proc.pid]) / (now - last_t) * 100, 1)
                    row[f"{name}_rss"] = round(rss_mb(proc.pid), 1)
                    last[proc.pid] = c
                except (FileNotFoundError, ProcessLookupError):
                    continue
            last_t = now
            samples.append(row)
            if int(row["t"]) % 10 == 0 and row["t"] > WARMUP_SECS:
                try:
                    stats = sim_ws(http)
                except OSError:
                    continue
                public = [c for c in stats["connections"] if c["path"] == "/v2/ws/public"]
                sent.append((now, sum(c["sent"] for c in public)))
                if len(public) >= len(ws_peak.get("public", [])):
                    ws_peak = {"public": public, "refused": stats["refused"]}
            if int(row["t"]) % 30 == 0:
                rec_cpu = sum(v for k, v in row.items() if k.startswith("rec") and "cpu" in k)
                print(
                    f"t={row['t']:.0f}s recorder cpu {rec_cpu:.0f}% sim cpu "
                    f"{row.get('sim_cpu', 0):.0f}%",
                    flush=True,
                )
        codes = [p.wait() for p in recorders]
    finally:
        for p in recorders:
            if p.poll() is None:
                p.kill()
        sim.send_signal(signal.SIGINT)
        try:
            sim.wait(10)
        except subprocess.TimeoutExpired:
            sim.kill()

    summary = summarize_manifests(catalog)
    steady = [s for s in samples if WARMUP_SECS <= s["t"] <= args.duration]
    rec_names = [f"rec{i + 1}" for i in range(args.shards)]

    def mean(key: str) -> float:
        vals = [s[key] for s in steady if key in s]
        return round(sum(vals) / len(vals), 1) if vals else 0.0

    def peak(key: str, part: list[dict]) -> float:
        return max((s[key] for s in part if key in s), default=0.0)

    third = len(steady) // 3
    rec = {}
    rss_bounded = True
    for name in rec_names:
        middle, end = steady[third : 2 * third], steady[2 * third :]
        rec[name] = {
            "cpu_pct_mean": mean(f"{name}_cpu"),
            "cpu_pct_max": peak(f"{name}_cpu", steady),
            "peak_rss_mb": peak(f"{name}_rss", samples),
            "rss_mb_middle_third_peak": peak(f"{name}_rss", middle),
            "rss_mb_last_third_peak": peak(f"{name}_rss", end),
        }
        if (
            third
            and rec[name]["rss_mb_last_third_peak"] > 1.25 * rec[name]["rss_mb_middle_third_peak"]
        ):
            rss_bounded = False
    public = ws_peak.get("public", [])
    channels = [c["channels"] for c in public]
    total_rows = sum(summary["rows_by_type"].values())
    result = {
        "contracts": args.contracts,
        "instruments_listed": args.contracts + 4,
        "duration_secs": args.duration,
        "shards": args.shards,
        "flush_secs": args.flush_secs,
        "recorder": rec,
        "sim_cpu_pct_mean": mean("sim_cpu"),
        "sim_peak_rss_mb": peak("sim_rss", samples),
        "rows_per_sec": round(total_rows / args.duration),
        "book_delta_rows_per_sec": round(
            summary["rows_by_type"].get("OrderBookDelta", 0) / args.duration
        ),
        "ws_messages_per_sec": ws_rate(sent),
        "connections": len(public),
        "channels_per_connection_max": max(channels, default=0),
        "channels_total": sum(channels),
        "connections_refused": ws_peak.get("refused", 0),
        "exit_codes": codes,
        "machine": f"{os.cpu_count()} cores, shared with other work (noisy)",
        **summary,
    }
    targets = {
        "recorder_exited_cleanly": all(code == 0 for code in codes),
        "recorder_under_one_core": all(r["cpu_pct_mean"] < 100.0 for r in rec.values()),
        "zero_gaps": summary["gaps"] == 0,
        "rss_bounded": rss_bounded,
        "all_instruments_recorded": summary["symbols"] >= args.contracts,
        "disjoint_shards": not summary["symbols_in_two_shards"],
        "channels_per_connection_le_50": max(channels, default=0) <= 50,
        "connections_le_100": len(public) <= 100,
    }
    result["targets_met"] = targets
    print(json.dumps(result, indent=2))
    for name, ok in targets.items():
        print(f"{'MET ' if ok else 'MISS'} {name}")
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data["record_venue"] = result
    RESULTS.write_text(json.dumps(data, indent=2) + "\n")
    if args.keep:
        (tmp / "samples.json").write_text(json.dumps(samples))
        print(f"catalog, logs and samples kept in {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if all(targets.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
