"""``CatalogWriter.group()``: a flush's files are synced together and renamed only on commit."""

from __future__ import annotations

from pathlib import Path

import pytest
from nautilus_trader.model.data import TradeTick
from nautilus_trader.persistence.catalog import ParquetDataCatalog

from nautilus_bitget.recorder.writer import CatalogWriter
from tests.unit.test_recorder_writer import IID
from tests.unit.test_recorder_writer import SEC
from tests.unit.test_recorder_writer import T0
from tests.unit.test_recorder_writer import trade


def data_files(root: Path) -> list[Path]:
    return sorted((root / "data").rglob("*.parquet"))


def test_group_renames_into_place_only_on_commit(tmp_path) -> None:
    writer = CatalogWriter(str(tmp_path))
    with writer.group():
        writer.write(TradeTick, IID.value, [trade(T0 + i * SEC, i) for i in range(3)])
        writer.write(TradeTick, IID.value, [trade(T0 + (10 + i) * SEC, 10 + i) for i in range(2)])
        assert data_files(tmp_path) == []  # readers see nothing before the commit
        assert writer.stats.files == 0
    assert len(data_files(tmp_path)) == 2
    assert writer.stats.files == 2 and writer.stats.rows == 5
    assert not list(Path(writer.temp_dir).glob("*.tmp"))
    ids = [t.trade_id.value for t in ParquetDataCatalog(str(tmp_path)).trade_ticks()]
    assert ids == ["0", "1", "2", "10", "11"]


def test_failed_group_leaves_nothing_and_forgets_its_intervals(tmp_path) -> None:
    writer = CatalogWriter(str(tmp_path))
    rows = [trade(T0 + i * SEC, i) for i in range(3)]
    with pytest.raises(RuntimeError, match="disk"), writer.group():
        writer.write(TradeTick, IID.value, rows)
        raise RuntimeError("disk full")
    assert data_files(tmp_path) == []
    assert not list(Path(writer.temp_dir).glob("*.tmp"))
    # the retry writes the same rows: not dropped as overlap with a file that never landed
    writer.write(TradeTick, IID.value, rows)
    assert writer.stats.dropped_overlap == 0
    assert len(ParquetDataCatalog(str(tmp_path)).trade_ticks()) == 3
