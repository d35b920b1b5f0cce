"""The plan's figures the demo catalogue reproduces (plan §1.2, SPEC §4.4) and the
dictionaries its records use; `scaled_counts` scales the splits to other sizes."""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import TypeVar

from bff.auth.departments import DEPARTMENTS

DEFAULT_SEED = 2026
CONNECTED_TOTAL = 19_639
NONCONFORMING_RATE = 0.01

CLASS_COUNTS: Mapping[int, int] = MappingProxyType({1: 7_678, 2: 994, 3: 10_967})
CLASS_NAMES: Mapping[int, str] = MappingProxyType({1: "一类", 2: "二类", 3: "三类", 9: "其他"})

# Demo dictionary of camera position types (摄像机位置类型) in the A0101 style of the
# province's 摄像机采集区域字典表; the official table is not in the plan.
POSITION_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "A0101": "道路交叉口", "A0102": "道路沿线", "A0103": "治安卡口/交通卡口",
        "A0104": "隧道桥梁涵洞", "A0201": "广场公园", "A0202": "车站码头",
        "A0203": "商业街区/市场", "A0204": "旅游景区", "A0205": "海岸线",
        "B0101": "校园出入口", "B0102": "校园内部", "B0103": "学校食堂后厨",
        "B0201": "医院出入口", "B0202": "医院内部", "B0301": "政务服务场所",
        "C0101": "村居出入口", "C0102": "住宅小区", "C0201": "企业厂区", "C0202": "冷库",
        "C0203": "危化品场所", "C0204": "建筑工地", "C0205": "商场超市",
        "C0206": "餐饮场所", "C0207": "旅业/娱乐场所",
        "D0101": "林区山地", "D0102": "水库山塘", "D0103": "河道", "D0104": "易涝点",
        "E0101": "公安办案区", "E0102": "公安机关出入口",
    }
)  # fmt: skip

DEPARTMENT_NAMES: Mapping[str, str] = MappingProxyType(DEPARTMENTS)

CAMERA_TYPE_NAMES: Mapping[int, str] = MappingProxyType(
    {1: "可控球机", 2: "固定球机", 3: "固定枪机", 4: "云台枪机", 5: "卡口枪机", 99: "其他"}
)



K = TypeVar("K")


def scaled_counts(counts: Mapping[K, int], total: int) -> dict[K, int]:
    """Scale `counts` to sum to `total` by the largest-remainder method.

    Ties in the remainders go to the key listed first, so the result is deterministic.
    """
    if total < 0:
        raise ValueError("total must be non-negative")
    base = sum(counts.values())
    if base <= 0:
        raise ValueError("counts must have a positive sum")
    exact = {k: v * total / base for k, v in counts.items()}
    result = {k: math.floor(x) for k, x in exact.items()}
    left = total - sum(result.values())
    keys = list(counts)
    by_remainder = sorted(keys, key=lambda k: (-(exact[k] - result[k]), keys.index(k)))
    for k in by_remainder[:left]:
        result[k] += 1
    return result


def contingency_table(rows: Mapping[str, int], cols: Mapping[int, int]) -> dict[tuple[str, int], int]:
    """Integer table with exactly these row and column sums, close to proportional."""
    total = sum(rows.values())
    table: dict[tuple[str, int], int] = {}
    fraction: dict[tuple[str, int], float] = {}
    for r, rn in rows.items():
        for c, cn in cols.items():
            exact = rn * cn / total if total else 0.0
            table[r, c] = math.floor(exact)
            fraction[r, c] = exact - table[r, c]
    row_left = {r: rn - sum(table[r, c] for c in cols) for r, rn in rows.items()}
    col_left = {c: cn - sum(table[r, c] for r in rows) for c, cn in cols.items()}
    # Largest remainders first; any cell whose row and column still lack units will do
    # after that, and one always exists because both deficits sum to the same number.
    for cell in sorted(table, key=lambda rc: -fraction[rc]):
        r, c = cell
        if row_left[r] > 0 and col_left[c] > 0:
            table[cell] += 1
            row_left[r] -= 1
            col_left[c] -= 1
    for r in rows:
        for c in cols:
            add = min(row_left[r], col_left[c])
            if add > 0:
                table[r, c] += add
                row_left[r] -= add
                col_left[c] -= add
    return table


# --- geography ----------------------------------------------------------------------------

