"""A realistic, deterministic camera catalogue of Shanwei for the embedded demo platform.

Figures come from the city's plan (SPEC §4.4): 19,639 connected cameras, split by
district 城区 2,882 · 海丰县 5,508 · 陆丰市 9,285 · 陆河县 1,666 · 红海湾 249 · 华侨区 49 and
by point class 一类 7,678 · 二类 994 · 三类 10,967. Other sizes scale those splits with
the largest-remainder method, so totals are always exact.

Cameras are generated site by site (a junction with four cameras, a school kitchen with
three) around real towns and streets (`places`), named by kind (`namers`), with owners,
units, networks and sharing attributes that fit their purpose (`kinds`). About 1 % of
device codes are deliberately non-conforming, as in the real catalogue (plan appendix 4);
they are flagged, not dropped (`generator`).
"""

from bff.demo.catalogue.figures import (
    CAMERA_TYPE_NAMES,
    CLASS_COUNTS,
    CLASS_NAMES,
    CONNECTED_TOTAL,
    DEFAULT_SEED,
    DEPARTMENT_NAMES,
    NONCONFORMING_RATE,
    POSITION_TYPES,
    scaled_counts,
)
from bff.demo.catalogue.generator import generate_demo_catalogue
from bff.demo.catalogue.kinds import KINDS
from bff.demo.catalogue.places import PLATFORMS

__all__ = [
    "CAMERA_TYPE_NAMES", "CLASS_COUNTS", "CLASS_NAMES", "CONNECTED_TOTAL", "DEFAULT_SEED",
    "DEPARTMENT_NAMES", "KINDS", "NONCONFORMING_RATE", "PLATFORMS", "POSITION_TYPES",
    "generate_demo_catalogue", "scaled_counts",
]
