"""Import of the city's camera catalogue (资源目录) from the appendix-5 spreadsheet.

Departments hand in the catalogue as .xlsx or .csv with the plan's Chinese column headers
(附录五, a trailing `*` marks required columns). Every row ends in exactly one of three
states, and the per-row report says which and why — nothing is silently dropped:

* ``ok``       conforming; loaded.
* ``flagged``  loaded, but something is suspicious: a device code that breaks GB/T 28181
               (the plan says such codes are a real problem to flag, never to reject,
               appendix 4) or coordinates outside the camera's district.
* ``refused``  not loaded: a required field is missing, an enumeration or number is
               wrong, or the device code repeats an earlier row of the same file.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping, MutableMapping
from pathlib import Path
from types import MappingProxyType
from typing import Literal

import msgspec
from sqlalchemy.dialects import postgresql, sqlite

from bff.catalog.districts import DISTRICTS, district_of
from bff.catalog.gbt28181 import check_civil_code
from bff.catalog.models import Camera
from bff.catalog.rows import camera_row
from bff.catalog.schemas import (
    CAMERA_TYPES,
    CODECS,
    DEPT_CODES,
    NETWORKS,
    POINT_CLASSES,
    SHARE_ATTRS,
    STATUSES,
    CameraRecord,
)
from bff.lib.db import Database, utcnow
from bff.lib.i18n import DEFAULT_LOCALE, translate
from bff.lib.vocabulary import PERMISSIONS

# Appendix-5 vendor codes (设备厂商): 1 海康威视 … 17 高新兴, 99 其他.
VENDORS = frozenset(set(range(1, 18)) | {99})
ONLINE_STATES = frozenset({1, 2})
INDOOR_OUTDOOR = frozenset({1, 2})
DIRECTIONS = frozenset(range(1, 10))

# Field name -> the plan's exact header text (without the required-marker `*`).
HEADERS: Mapping[str, str] = MappingProxyType(
    {
        "device_id": "设备编码",
        "name": "设备名称",
        "civil_code": "行政区划",
        "grassroots_code": "基层组织编码",
        "builder_unit": "建设单位",
        "manager_unit": "管理单位",
        "manager_phone": "管理单位联系方式",
        "contractor": "承建单位",
        "maintainer": "维护单位",
        "point_class": "监控点位类型",
        "platform_id": "平台编码",
        "dept_code": "摄像机所属部门/行业",
        "camera_type": "摄像机类型",
        "online": "联网状态",
        "address": "安装地址",
        "position_types": "摄像机位置类型",
        "coord_system": "经纬度类型",
        "longitude": "经度",
        "latitude": "纬度",
        "ipv4": "IPV4地址",
        "mac": "MAC地址",
        "indoor_outdoor": "摄像机安装位置室内外",
        "direction": "摄像机监控方位",
        "pole_id": "立杆编号",
        "network": "接入网络",
        "retention_days": "录像保存天数",
        "share_attr": "共享属性",
        "default_perms": "默认权限",
        "vendor": "设备厂商",
        "codec": "摄像机编码格式",
        "status": "设备状态",
    }
)

# Shorter headers seen in departments' sheets for the same columns; accepted as well so a
# renamed column does not make every row "missing".
_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "点位类型": "point_class",
        "点位分类": "point_class",
        "接入平台编码": "platform_id",
        "室内外": "indoor_outdoor",
        "监控方位": "direction",
        "编码格式": "codec",
        "所属部门/行业": "dept_code",
    }
)

REQUIRED = frozenset(
    {
        "device_id", "name", "civil_code", "builder_unit", "manager_unit", "manager_phone",
        "contractor", "maintainer", "point_class", "platform_id", "dept_code", "camera_type",
        "online", "address", "position_types", "coord_system", "longitude", "latitude",
        "network", "retention_days", "share_attr", "default_perms", "vendor", "codec",
        "status",
    }
)  # fmt: skip

# Column widths of the camera table: longer text would fail the insert on PostgreSQL and
# abort the whole transaction, so such a row is refused on its own instead.
_MAX_LENGTH: Mapping[str, int] = MappingProxyType(
    {
        "device_id": 32, "name": 100, "grassroots_code": 10, "builder_unit": 100,
        "manager_unit": 100, "manager_phone": 32, "contractor": 100, "maintainer": 100,
        "platform_id": 128, "address": 100, "ipv4": 45, "mac": 17, "pole_id": 12,
    }
)  # fmt: skip

_INT_ENUMS: Mapping[str, frozenset[int]] = MappingProxyType(
    {
        "point_class": POINT_CLASSES, "camera_type": CAMERA_TYPES, "online": ONLINE_STATES,
        "network": NETWORKS, "share_attr": SHARE_ATTRS, "vendor": VENDORS, "codec": CODECS,
        "status": STATUSES, "indoor_outdoor": INDOOR_OUTDOOR, "direction": DIRECTIONS,
    }
)  # fmt: skip

_COORD_SYSTEMS: Mapping[str, Literal["WGS84", "CGCS2000"]] = MappingProxyType(
    {"WGS84": "WGS84", "CGCS2000": "CGCS2000", "大地2000": "CGCS2000", "国家2000": "CGCS2000"}
)

_POSITION_TYPE = re.compile(r"^[A-Z][0-9]{4}$")
_LIST_SEPARATORS = re.compile(r"[,，、;；/\s]+")

# Whole-city box, used when a civil code belongs to no known district.
SHANWEI_BBOX = (
    min(d.bbox[0] for d in DISTRICTS),
    min(d.bbox[1] for d in DISTRICTS),
    max(d.bbox[2] for d in DISTRICTS),
    max(d.bbox[3] for d in DISTRICTS),
)

Status = Literal["ok", "flagged", "refused"]
"""How a row ended; its text is the message catalogue's `import.row.<status>`."""


class Reason(msgspec.Struct, frozen=True, kw_only=True):
    """Why a row was flagged or refused: a short code, the field, and the catalogue text
    that explains it (`message_key` filled with `params`, e.g. the cell as found)."""

    code: str
    field: str | None
    message_key: str
    params: dict[str, str | int] = {}

    @property
    def key(self) -> str:
        """Stable short form for reports and tests, e.g. `missing:name`, `duplicate`."""
        return f"{self.code}:{self.field}" if self.field else self.code

    def text(self, locale: str = DEFAULT_LOCALE) -> str:
        """The reason in `locale`, after the column's header when it concerns one."""
        reason = translate(self.message_key, locale, **self.params)
        if self.field not in HEADERS:
            return reason
        return translate("import.reason.in_field", locale, field=HEADERS[self.field],
                         reason=reason)

    @property
    def message(self) -> str:
        """The reason in Chinese, as the report (under the plan's Chinese headers) says it."""
        return self.text()


class RowResult(msgspec.Struct, kw_only=True):
    line: int
    """Row number in the sheet (the header is row 1)."""
    device_id: str
    status: Status
    reasons: list[Reason]
    record: CameraRecord | None
    """Present unless the row was refused."""

    @property
    def codes(self) -> list[str]:
        return [r.key for r in self.reasons]


class ImportSummary(msgspec.Struct, kw_only=True):
    imported: int
    """Rows loaded into the catalogue, flagged ones included."""
    flagged: int
    refused: int
    report_path: str | None = None
    problems: list[RowResult] = []
    """The flagged and refused rows in sheet order, with their reasons."""


# --- reading ------------------------------------------------------------------------------


def field_of_header(header: str) -> str | None:
    """The record field a column header stands for (plan text, alias or field name)."""
    text = header.strip().rstrip("*＊").strip()
    if text in HEADERS:
        return text
    for field, plan_text in HEADERS.items():
        if text == plan_text:
            return field
    return _ALIASES.get(text)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # Excel stores typed numbers as floats; "1.0" must read as the code "1".
        return str(int(value))
    return str(value).strip()


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Sheets saved by Chinese-locale Excel/WPS as "CSV" come out in GBK/GB18030.
        return data.decode("gb18030")


def _raw_rows(path: Path) -> Iterator[list[str]]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        yield from csv.reader(io.StringIO(_decode(path.read_bytes()), newline=""))
    elif suffix == ".xlsx":
        import openpyxl

        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            for values in workbook.worksheets[0].iter_rows(values_only=True):
                yield [_cell_text(v) for v in values]
        finally:
            workbook.close()
    else:
        raise ValueError(f"unsupported catalogue file (want .csv or .xlsx): {path}")


def iter_numbered_rows(path: str | Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, {field: text}) for every non-blank data row; the header is row 1.

    Columns with unknown headers are kept under their header text, so nothing the sheet
    says is lost; entirely blank rows (Excel's trailing rows) carry nothing and are skipped.
    """
    rows = _raw_rows(Path(path))
    header = next(rows, None)
    if header is None:
        return
    keys = [field_of_header(h) or h.strip() for h in header]
    for number, values in enumerate(rows, start=2):
        cells = [v.strip() if isinstance(v, str) else _cell_text(v) for v in values]
        if not any(cells):
            continue
        yield number, {k: (cells[i] if i < len(cells) else "") for i, k in enumerate(keys) if k}


def read_rows(path: str | Path) -> Iterator[dict[str, str]]:
    """The data rows of a .csv or .xlsx catalogue, keyed by record field names."""
    for _, row in iter_numbered_rows(path):
        yield row


# --- validation ---------------------------------------------------------------------------


def _normalise(row: Mapping[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in row.items():
        field = field_of_header(key) or key
        out[field] = _cell_text(value)
    return out


def _reason(code: str, field: str | None = None, value: str | None = None,
            **params: str | int) -> Reason:
    """A reason whose text is `import.reason.<code>`; `value` is the offending cell."""
    if value is not None:
        params["value"] = value
    return Reason(code=code, field=field, message_key=f"import.reason.{code}", params=params)


def _parse_int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        try:
            number = float(text)
        except ValueError:
            return None
        return int(number) if number.is_integer() else None


def _parse_float(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def validate_row(
    row: Mapping[str, str], line_no: int, seen: MutableMapping[str, int] | None = None
) -> RowResult:
    """Check one sheet row against appendix 5. Keys may be plan headers or field names.

    `seen` (device code -> first row number) detects repeats within one file; the row is
    added to it. Device-code rules only flag, everything that makes a field unusable
    refuses.
    """
    data = _normalise(row)
    device_id = data.get("device_id", "")
    refusals: list[Reason] = []
    flags: list[Reason] = []
    values: dict[str, object] = {}

    for field in HEADERS:
        text = data.get(field, "")
        if not text:
            if field in REQUIRED:
                refusals.append(_reason("missing", field))
            continue
        limit = _MAX_LENGTH.get(field)
        if limit is not None and len(text) > limit:
            refusals.append(_reason("too_long", field, limit=limit))
            continue
        if field in _INT_ENUMS:
            number = _parse_int(text)
            if number is None:
                refusals.append(_reason("not_number", field, text))
            elif number not in _INT_ENUMS[field]:
                refusals.append(_reason("enum", field, text))
            else:
                values[field] = number
        elif field == "retention_days":
            number = _parse_int(text)
            if number is None:
                refusals.append(_reason("not_number", field, text))
            elif number < 0:
                refusals.append(_reason("out_of_range", field, text))
            else:
                values[field] = number
        elif field in ("longitude", "latitude"):
            coordinate = _parse_float(text)
            bound = 180 if field == "longitude" else 90
            if coordinate is None:
                refusals.append(_reason("not_number", field, text))
            elif abs(coordinate) > bound:
                refusals.append(_reason("out_of_range", field, text))
            else:
                values[field] = coordinate
        elif field == "dept_code":
            # A numeric Excel cell loses the leading zero of "06".
            code = text.zfill(2) if text.isascii() and text.isdigit() else text
            if code in DEPT_CODES:
                values[field] = code
            else:
                refusals.append(_reason("enum", field, text))
        elif field == "coord_system":
            system = _COORD_SYSTEMS.get(text.upper().replace("-", "").replace(" ", ""))
            if system is None:
                refusals.append(_reason("enum", field, text))
            else:
                values[field] = system
        elif field == "default_perms":
            parts = [p for p in _LIST_SEPARATORS.split(text) if p]
            numbers = [_parse_int(p) for p in parts]
            if not numbers or any(n is None or n not in PERMISSIONS for n in numbers):
                refusals.append(_reason("enum", field, text))
            else:
                values[field] = sorted({n for n in numbers if n is not None})
        elif field == "position_types":
            parts = [p.upper() for p in _LIST_SEPARATORS.split(text) if p]
            if not parts or not all(_POSITION_TYPE.match(p) for p in parts):
                refusals.append(_reason("bad_format", field, text))
            else:
                values[field] = parts
        elif field == "civil_code":
            if len(text) != 6 or not (text.isascii() and text.isdigit()):
                # Scope checks use the civil code; a malformed one could never be reached.
                refusals.append(_reason("bad_format", field, text))
            else:
                values[field] = text
                if check_civil_code(text):
                    flags.append(_reason("civil_code", field, text))
        else:
            values[field] = text

    if device_id and seen is not None:
        first = seen.get(device_id)
        if first is not None:
            refusals.append(_reason("duplicate", line=first))
        else:
            seen[device_id] = line_no

    if refusals:
        return RowResult(line=line_no, device_id=device_id, status="refused",
                         reasons=refusals + flags, record=None)

    record = CameraRecord(**values)  # type: ignore[arg-type]
    record.code_flags = camera_row(record)["code_flags"]  # type: ignore[assignment]
    for flag in record.code_flags:
        flags.append(Reason(code=f"code_{flag}", field="device_id",
                            message_key=f"code_flag.{flag}"))
    district = district_of(record.civil_code)
    min_lon, min_lat, max_lon, max_lat = district.bbox if district else SHANWEI_BBOX
    if not (min_lon <= record.longitude <= max_lon and min_lat <= record.latitude <= max_lat):
        area = district.full_name if district else "汕尾市"
        flags.append(_reason("outside_area", "longitude", area=area))
    return RowResult(line=line_no, device_id=device_id, status="flagged" if flags else "ok",
                     reasons=flags, record=record)


# --- loading ------------------------------------------------------------------------------

_BATCH = 500  # rows per INSERT: well under SQLite's bound-parameter limit with 33 columns


def default_report_path(path: str | Path) -> Path:
    source = Path(path)
    return source.with_name(f"{source.stem}.report.csv")


async def _upsert(database: Database, rows: list[dict[str, object]]) -> None:
    dialect = database.engine.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    async with database.sessions() as session, session.begin():
        for start in range(0, len(rows), _BATCH):
            statement = insert(Camera)
            updates = {
                c.name: statement.excluded[c.name]
                for c in Camera.__table__.columns
                if c.name not in ("device_id", "updated_at")
            }
            updates["updated_at"] = utcnow()
            statement = statement.on_conflict_do_update(index_elements=["device_id"],
                                                        set_=updates)
            await session.execute(statement, rows[start : start + _BATCH])


def write_report(results: list[RowResult], report_path: str | Path) -> None:
    # The report goes back to departments beside their sheet: in Chinese, like its headers.
    separator = translate("text.list_separator", DEFAULT_LOCALE)
    # utf-8-sig: Excel on Chinese Windows only detects UTF-8 when the BOM is there.
    with open(report_path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["行号", "设备编码", "状态", "原因代码", "原因"])
        for result in results:
            status = translate(f"import.row.{result.status}", DEFAULT_LOCALE)
            writer.writerow([result.line, result.device_id, status, " ".join(result.codes),
                             separator.join(r.message for r in result.reasons)])


async def import_catalogue(
    database: Database, path: str | Path, report_path: str | Path | None = None
) -> ImportSummary:
    """Validate a catalogue file, upsert its ok and flagged rows in one transaction, and
    write the per-row report (every data row appears in it)."""
    report = Path(report_path) if report_path else default_report_path(path)
    seen: dict[str, int] = {}
    results = [validate_row(row, line, seen) for line, row in iter_numbered_rows(path)]
    rows: list[dict[str, object]] = []
    for result in results:
        if result.record is not None:
            row = msgspec.structs.asdict(result.record)
            row["updated_at"] = utcnow()
            rows.append(row)
    if rows:
        await _upsert(database, rows)
    write_report(results, report)
    return ImportSummary(
        imported=len(rows),
        flagged=sum(r.status == "flagged" for r in results),
        refused=sum(r.status == "refused" for r in results),
        report_path=str(report),
        problems=[r for r in results if r.reasons],
    )


def catalogue_row(record: CameraRecord, *, star_required: bool = True) -> dict[str, str]:
    """A record as one sheet row under the plan's headers (the inverse of `validate_row`)."""
    row: dict[str, str] = {}
    for field, header in HEADERS.items():
        value = getattr(record, field)
        if value is None:
            text = ""
        elif isinstance(value, list):
            text = ",".join(str(v) for v in value)
        else:
            text = str(value)
        row[f"{header}*" if star_required and field in REQUIRED else header] = text
    return row
