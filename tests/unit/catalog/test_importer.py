"""Catalogue import from appendix-5 sheets: what is loaded, flagged, refused and reported."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from bff.catalog.importer import (
    HEADERS,
    catalogue_row,
    import_catalogue,
    read_rows,
    validate_row,
)
from bff.catalog.models import Camera
from bff.catalog.schemas import CameraRecord
from bff.demo.catalogue import generate_demo_catalogue
from bff.lib.db import Database

GOOD = 200
EXTRA = 40  # spare demo records that malformed rows are made from (distinct device codes)


def _header(field: str) -> str:
    return f"{HEADERS[field]}*" if field not in {
        "grassroots_code", "ipv4", "mac", "indoor_outdoor", "direction", "pole_id"
    } else HEADERS[field]


def _with(row: dict[str, str], **changes: str) -> dict[str, str]:
    out = dict(row)
    for field, value in changes.items():
        out[_header(field)] = value
    return out


def _demo() -> tuple[list[CameraRecord], list[CameraRecord]]:
    records = generate_demo_catalogue(GOOD + EXTRA)
    good, spare = records[:GOOD], records[GOOD:]
    # Malformed rows are built from conforming records so each shows only its own defect.
    return good, [r for r in spare if not r.code_flags]


def _malformed(spare: list[CameraRecord], first_good: dict[str, str]) -> list[
    tuple[dict[str, str], str, str]
]:
    """(row, expected status, expected reason key) for each kind of defect."""
    rows = [catalogue_row(r) for r in spare]
    code = rows[0][_header("device_id")]
    cases = [
        (_with(rows[0], device_id=code[:8] + "30" + code[10:]), "flagged",
         "code_industry:device_id"),
        (_with(rows[1], device_id=rows[1][_header("device_id")][:19] + "X"), "flagged",
         "code_non_digit:device_id"),
        (_with(rows[2], longitude="113.264385", latitude="23.129112"), "flagged",
         "outside_area:longitude"),
        (_with(rows[3], name=""), "refused", "missing:name"),
        (_with(rows[4], longitude=""), "refused", "missing:longitude"),
        (_with(rows[5], point_class="7"), "refused", "enum:point_class"),
        (_with(rows[6], dept_code="45"), "refused", "enum:dept_code"),
        (_with(rows[7], camera_type="6"), "refused", "enum:camera_type"),
        (_with(rows[8], online="3"), "refused", "enum:online"),
        (_with(rows[9], network="10"), "refused", "enum:network"),
        (_with(rows[10], share_attr="5"), "refused", "enum:share_attr"),
        (_with(rows[11], default_perms="1,2,7"), "refused", "enum:default_perms"),
        (_with(rows[12], vendor="50"), "refused", "enum:vendor"),
        (_with(rows[13], codec="9"), "refused", "enum:codec"),
        (_with(rows[14], status="4"), "refused", "enum:status"),
        (_with(rows[15], coord_system="BD09"), "refused", "enum:coord_system"),
        (_with(rows[16], retention_days="三十天"), "refused", "not_number:retention_days"),
        (_with(rows[17], latitude="北纬22度"), "refused", "not_number:latitude"),
        (_with(rows[18], point_class="一类"), "refused", "not_number:point_class"),
        (dict(first_good), "refused", "duplicate"),
    ]
    return cases


def _write_csv(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8-sig") -> Path:
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _write_xlsx(path: Path, rows: list[dict[str, str]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append(list(row.values()))
    workbook.save(path)
    return path


def _read_report(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


async def _camera_count(database: Database) -> int:
    async with database.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Camera)) or 0)


# --- reading ------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_is_read_in_every_encoding_departments_use(tmp_path: Path, encoding: str) -> None:
    good, _ = _demo()
    path = _write_csv(tmp_path / "cat.csv", [catalogue_row(r) for r in good[:5]], encoding)
    rows = list(read_rows(path))
    assert len(rows) == 5
    assert rows[0]["device_id"] == good[0].device_id
    assert rows[0]["name"] == good[0].name  # Chinese text survives the decoding


def test_headers_with_and_without_star_and_xlsx_numbers(tmp_path: Path) -> None:
    good, _ = _demo()
    plain = [catalogue_row(r, star_required=False) for r in good[:3]]
    path = tmp_path / "cat.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(plain[0]))
    for row in plain:
        # Excel users type numbers as numbers: codes arrive as ints, "06" as 6.
        values = [int(v) if k in {"监控点位类型", "摄像机所属部门/行业"} else v for k, v in row.items()]
        sheet.append(values)
    sheet.append([None] * len(plain[0]))  # trailing blank row, as Excel leaves them
    workbook.save(path)
    rows = list(read_rows(path))
    assert len(rows) == 3
    results = [validate_row(row, n) for n, row in enumerate(rows, start=2)]
    assert [r.record for r in results] == good[:3]


def test_unsupported_extension_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "cat.xls"
    path.write_bytes(b"")
    with pytest.raises(ValueError):
        list(read_rows(path))


# --- validation ---------------------------------------------------------------------------


def test_each_defect_gets_its_status_and_reason() -> None:
    good, spare = _demo()
    first = catalogue_row(good[0])
    seen = {good[0].device_id: 2}
    for row, status, key in _malformed(spare, first):
        result = validate_row(row, 99, seen)
        assert result.status == status, (key, result.codes)
        assert key in result.codes
        assert all(r.message for r in result.reasons)
        assert (result.record is None) == (status == "refused")


def test_flagged_code_keeps_its_code_flags() -> None:
    good, spare = _demo()
    row, _, _ = _malformed(spare, catalogue_row(good[0]))[0]
    result = validate_row(row, 2)
    assert result.record is not None and result.record.code_flags == ["industry"]
    assert "行业编码" in result.reasons[0].message


def test_missing_required_columns_refuse_with_every_field_named() -> None:
    result = validate_row({"设备编码*": "44150200001310000001"}, 2)
    assert result.status == "refused"
    assert "missing:name" in result.codes and "missing:status" in result.codes
    assert "missing:ipv4" not in result.codes  # optional


# --- importing ----------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
async def test_import_counts_and_report(database: Database, tmp_path: Path, suffix: str) -> None:
    good, spare = _demo()
    good_rows = [catalogue_row(r) for r in good]
    cases = _malformed(spare, good_rows[0])
    rows = good_rows + [row for row, _, _ in cases]
    path = tmp_path / f"cat.{suffix}"
    (_write_csv if suffix == "csv" else _write_xlsx)(path, rows)
    report = tmp_path / "report.csv"

    summary = await import_catalogue(database, path, report)

    demo_flagged = sum(bool(r.code_flags) for r in good)
    assert summary.imported == GOOD + 3
    assert summary.flagged == demo_flagged + 3
    assert summary.refused == len(cases) - 3 == 17
    assert await _camera_count(database) == GOOD + 3

    lines = _read_report(report)
    assert len(lines) == len(rows)  # nothing silently dropped
    assert [int(x["行号"]) for x in lines] == list(range(2, len(rows) + 2))
    for offset, (_, status, key) in enumerate(cases):
        line = lines[GOOD + offset]
        assert line["状态"] == {"flagged": "导入（需核查）", "refused": "拒绝"}[status]
        assert key in line["原因代码"].split()
        assert line["原因"]
    duplicate = lines[-1]
    assert duplicate["设备编码"] == good[0].device_id and "第2行重复" in duplicate["原因"]
    assert sum(x["状态"] == "导入" for x in lines) == GOOD - demo_flagged

    async with database.sessions() as session:
        flagged = await session.get(Camera, cases[0][0]["设备编码*"])
    assert flagged is not None and flagged.code_flags == ["industry"]


async def test_reimport_updates_instead_of_duplicating(database: Database, tmp_path: Path) -> None:
    good, _ = _demo()
    rows = [catalogue_row(r) for r in good[:20]]
    await import_catalogue(database, _write_csv(tmp_path / "a.csv", rows), tmp_path / "a.txt")
    rows[0] = _with(rows[0], name="改名后的摄像机")
    summary = await import_catalogue(database, _write_csv(tmp_path / "b.csv", rows),
                                     tmp_path / "b.txt")
    assert summary.imported == 20 and await _camera_count(database) == 20
    async with database.sessions() as session:
        camera = await session.get(Camera, good[0].device_id)
    assert camera is not None and camera.name == "改名后的摄像机"


async def test_ten_thousand_rows(database: Database, tmp_path: Path) -> None:
    records = generate_demo_catalogue(10_000)
    path = _write_csv(tmp_path / "big.csv", [catalogue_row(r) for r in records])
    summary = await import_catalogue(database, path, tmp_path / "big.report.csv")
    flagged = sum(bool(r.code_flags) for r in records)
    assert (summary.imported, summary.flagged, summary.refused) == (10_000, flagged, 0)
    assert await _camera_count(database) == 10_000
    assert len(_read_report(tmp_path / "big.report.csv")) == 10_000


def test_cli_prints_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                            capsys: pytest.CaptureFixture[str]) -> None:
    from bff.cli import main

    good, spare = _demo()
    good_rows = [catalogue_row(r) for r in good]
    rows = good_rows + [row for row, _, _ in _malformed(spare, good_rows[0])]
    path = _write_csv(tmp_path / "cat.csv", rows)
    monkeypatch.setenv("BFF_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}")
    report = tmp_path / "out.csv"

    assert main(["catalog", "import", str(path), "--report", str(report)]) == 0

    out = capsys.readouterr().out.splitlines()
    demo_flagged = sum(bool(r.code_flags) for r in good)
    summary_lines = [x for x in out if x.startswith("imported=")]
    assert summary_lines == [f"imported={GOOD + 3} flagged={demo_flagged + 3} refused=17"]
    assert any(str(report) in x for x in out)
    assert len(_read_report(report)) == len(rows)
