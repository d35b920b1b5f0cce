"""Generate the demo catalogue site by site (see the package docstring)."""

from __future__ import annotations

import random
from collections.abc import Sequence

from bff.catalog.districts import DISTRICTS, District, district_of
from bff.catalog.gbt28181 import (
    SHANWEI_CIVIL_CODE,
    check_device_code,
)
from bff.catalog.schemas import CameraRecord
from bff.demo.catalogue.figures import (
    CLASS_COUNTS,
    CONNECTED_TOTAL,
    DEFAULT_SEED,
    NONCONFORMING_RATE,
    contingency_table,
    scaled_counts,
)
from bff.demo.catalogue.kinds import (
    CLASS_KINDS,
    CODECS,
    KINDS,
    NETWORK_DIGIT,
    POLICE_VENDORS,
    STATUS,
    VENDORS,
    Kind,
    site_units,
)
from bff.demo.catalogue.places import (
    COAST,
    MOUNTAINS,
    OUI,
    PLATFORMS,
    TOWNS,
    Anchor,
    Generation,
    Town,
    county_platform_code,
    weighted,
)


def _choose_kinds(district: District, point_class: int) -> tuple[list[Kind], list[float]]:
    kinds, weights = [], []
    for key, weight in CLASS_KINDS[point_class]:
        kind = KINDS[key]
        if kind.placement == "mountain" and not MOUNTAINS[district.key]:
            continue
        if kind.placement == "coast" and not COAST[district.key]:
            continue
        kinds.append(kind)
        weights.append(weight)
    return kinds, weights


def _pick_town(g: Generation, district: District, placement: str) -> Town:
    towns = TOWNS[district.key]
    if placement == "seat":
        seats = [t for t in towns if t.seat]
        return g.rng.choices(seats, weights=[t.weight for t in seats])[0]
    if placement == "rural":
        # Villages and enterprises spread over the rural towns more evenly than people.
        weights = [(1.0 if t.street else 3.0) + t.weight * 0.3 for t in towns]
        return g.rng.choices(towns, weights=weights)[0]
    return g.rng.choices(towns, weights=[t.weight for t in towns])[0]


def _site_position(
    g: Generation, district: District, town: Town, placement: str, anchor: Anchor | None
) -> tuple[float, float]:
    rng = g.rng
    if anchor is not None:
        base_lon, base_lat, spread = (
            anchor.lon,
            anchor.lat,
            (0.012 if placement == "mountain" else 0.006),
        )
    else:
        base_lon, base_lat = town.lon, town.lat
        spread = {"seat": 0.010, "urban": 0.008 if town.seat else 0.006, "rural": 0.025}[placement]
    min_lon, min_lat, max_lon, max_lat = district.bbox
    for _ in range(20):
        lon = rng.gauss(base_lon, spread)
        lat = rng.gauss(base_lat, spread)
        if min_lon <= lon <= max_lon and min_lat <= lat <= max_lat:
            return lon, lat
    return min(max(base_lon, min_lon), max_lon), min(max(base_lat, min_lat), max_lat)


def _ipv4(rng: random.Random, network: int, district_index: int) -> str:
    if network in (1, 2, 3, 9):
        return f"10.{44 + district_index}.{rng.randint(0, 255)}.{rng.randint(2, 254)}"
    if network == 5:
        return f"172.{16 + district_index}.{rng.randint(0, 255)}.{rng.randint(2, 254)}"
    return f"192.168.{rng.randint(0, 20)}.{rng.randint(2, 254)}"


def _mac(rng: random.Random, vendor: int) -> str:
    prefixes = OUI.get(vendor)
    prefix = (
        rng.choice(prefixes)
        if prefixes
        else f"02:{rng.randint(0, 255):02x}:{rng.randint(0, 255):02x}"
    )
    return prefix + "".join(f":{rng.randint(0, 255):02x}" for _ in range(3))


def _perms(rng: random.Random, kind: Kind, camera_type: int) -> list[int]:
    if kind.key == "station":
        return [1]
    perms = [1, 2]
    roll = rng.random()
    if roll < 0.06:
        perms = [1]
    elif roll < 0.10:
        perms = [1, 2, 3]
    elif roll < 0.13:
        perms = [1, 2, 5]
    if camera_type in (1, 4) and kind.ptz_perms and perms != [1]:
        perms = sorted({*perms, 4})
    return perms


def _device_code(
    g: Generation, kind: Kind, civil: str, grassroots: int, camera_type: int, network: int
) -> str:
    centre = civil + f"{grassroots:02d}"
    if kind.city_coded and g.rng.random() < kind.city_coded:
        centre = SHANWEI_CIVIL_CODE + "00"
    type_code = "121" if camera_type == 5 else ("132" if g.rng.random() < 0.85 else "131")
    prefix = f"{centre}{kind.industry}{type_code}{NETWORK_DIGIT[network]}"
    serial = g.serials.get(prefix, 0) + 1
    if serial > 999_999:
        raise ValueError("device serial space exhausted for " + prefix)
    g.serials[prefix] = serial
    return f"{prefix}{serial:06d}"


def _platform_id(kind: Kind, district: District) -> str:
    if kind.platform == "police":
        if district.key in ("lufeng", "haifeng"):
            return county_platform_code(district, "00", "0")  # county video clouds (平安陆丰 …)
        return PLATFORMS["police_city"][0]
    if kind.platform == "village":
        return county_platform_code(district, "01", "8")
    return PLATFORMS[kind.platform][0]


# --- deliberate defects -------------------------------------------------------------------


def _break_code(rng: random.Random, code: str, district: District) -> str:
    """A plausible real-world defect of a device code (appendix 4 lists such codes)."""
    defect = weighted(
        rng,
        (("short", 2), ("long", 1), ("letter", 2), ("type", 2), ("not_camera", 1),
         ("industry", 2), ("network", 1), ("centre", 2), ("other_county", 2)),
    )  # fmt: skip
    if defect == "short":
        return code[:-1]
    if defect == "long":
        return code + str(rng.randint(0, 9))
    if defect == "letter":
        position = rng.randrange(8, 20)
        return code[:position] + rng.choice("OIAB") + code[position + 1 :]
    if defect == "type":
        return code[:10] + rng.choice(("000", "099", "101", "110")) + code[13:]
    if defect == "not_camera":
        return code[:10] + rng.choice(("200", "134", "300", "114")) + code[13:]
    if defect == "industry":
        return code[:8] + rng.choice(("12", "35", "66", "88")) + code[10:]
    if defect == "network":
        return code[:13] + "9" + code[14:]
    if defect == "centre":
        # Water-affairs style: the first six digits are not a civil code at all.
        return rng.choice(("000000", "441599", "999900")) + code[6:]
    others = [
        d.civil_code for d in DISTRICTS if d.civil_code != district.civil_code and not d.local_code
    ]
    return rng.choice(others) + code[6:]


# --- the generator ------------------------------------------------------------------------


def generate_demo_catalogue(
    total: int = CONNECTED_TOTAL, seed: int = DEFAULT_SEED
) -> list[CameraRecord]:
    """Generate `total` Shanwei cameras, deterministically for a given (total, seed).

    At 19,639 the district and point-class counts are exactly the plan's; other totals
    scale them proportionally. About 1 % of device codes break GB/T 28181 on purpose, and
    every record's `code_flags` holds what `check_device_code` says about its code.
    """
    if total < 0:
        raise ValueError("total must be non-negative")
    g = Generation(seed)
    rng = g.rng
    by_district = scaled_counts({d.key: d.connected for d in DISTRICTS}, total)
    by_class = scaled_counts(dict(CLASS_COUNTS), total)
    table = contingency_table(by_district, by_class)

    records: list[CameraRecord] = []
    for district_index, district in enumerate(DISTRICTS):
        towns = TOWNS[district.key]
        for point_class in CLASS_COUNTS:
            quota = table[district.key, point_class]
            kinds, weights = _choose_kinds(district, point_class)
            while quota > 0:
                kind = rng.choices(kinds, weights=weights)[0]
                made = _make_site(g, kind, district, district_index, towns, point_class, quota)
                records.extend(made)
                quota -= len(made)

    _inject_defects(rng, records, round(total * NONCONFORMING_RATE))
    return records


def _make_site(
    g: Generation,
    kind: Kind,
    district: District,
    district_index: int,
    towns: Sequence[Town],
    point_class: int,
    quota: int,
) -> list[CameraRecord]:
    rng = g.rng
    anchor: Anchor | None = None
    if kind.placement in ("mountain", "coast"):
        anchor = rng.choice((MOUNTAINS if kind.placement == "mountain" else COAST)[district.key])
        town = next(t for t in towns if t.name == anchor.town)
    else:
        town = _pick_town(g, district, kind.placement)
    grassroots = towns.index(town) + 1
    size = min(rng.randint(*kind.site_size), quota)
    site_name, address, cams = kind.namer(g, district, town, anchor, size)
    cams = cams[:size]
    lon, lat = _site_position(g, district, town, kind.placement, anchor)
    dept = weighted(rng, kind.dept)
    builder, manager, phone, contractor, maintainer = site_units(g, kind, dept, district, town, address)
    network = weighted(rng, kind.networks)
    vendor = weighted(rng, POLICE_VENDORS if dept == "06" else VENDORS)
    share = weighted(rng, kind.share)
    retention = weighted(rng, kind.retention)
    platform_id = _platform_id(kind, district)
    street_code = (
        f"{district.civil_code}{grassroots:03d}"
        if town.street
        else f"{district.civil_code}{99 + grassroots:03d}"
    )
    centre8 = f"{district.civil_code}{grassroots:02d}"
    pole_id: str | None = None
    if not kind.indoor:
        pole = g.poles.get(centre8, 0) + 1
        g.poles[centre8] = pole
        pole_id = f"{centre8}{pole:04d}" if pole <= 9999 else None
    coord_system = "CGCS2000" if rng.random() < 0.15 else "WGS84"
    position_types = [rng.choice(kind.position_types)]

    records = []
    for cam in cams:
        camera_type = cam.camera_type or weighted(rng, kind.camera_types)
        status = weighted(rng, STATUS)
        online = 1 if status == 1 and rng.random() < 0.93 else 2
        name = (site_name + cam.suffix)[:100]
        record = CameraRecord(
            device_id=_device_code(g, kind, district.civil_code, grassroots, camera_type, network),
            name=name,
            civil_code=district.civil_code,
            grassroots_code=street_code,
            builder_unit=builder,
            manager_unit=manager,
            manager_phone=phone,
            contractor=contractor,
            maintainer=maintainer,
            point_class=point_class,
            platform_id=platform_id,
            dept_code=dept,
            camera_type=camera_type,
            online=online,
            address=address[:100],
            position_types=list(position_types),
            coord_system=coord_system,
            # A few metres between the cameras of one site, as on one pole or one ceiling.
            longitude=round(lon + rng.gauss(0, 0.00004), 6),
            latitude=round(lat + rng.gauss(0, 0.00004), 6),
            ipv4=_ipv4(rng, network, district_index) if rng.random() < 0.9 else None,
            mac=_mac(rng, vendor) if rng.random() < 0.85 else None,
            indoor_outdoor=2 if kind.indoor else 1,
            direction=cam.direction or (9 if kind.indoor else rng.randint(1, 9)),
            pole_id=pole_id,
            network=network,
            retention_days=retention,
            share_attr=share,
            default_perms=_perms(rng, kind, camera_type),
            vendor=vendor if rng.random() < 0.9 else weighted(rng, VENDORS),
            codec=weighted(rng, CODECS),
            status=status,
        )
        records.append(record)
    return records


def _inject_defects(rng: random.Random, records: list[CameraRecord], count: int) -> None:
    """Break `count` device codes on purpose and flag every record's code."""
    seen = {r.device_id for r in records}
    chosen = rng.sample(range(len(records)), min(count, len(records)))
    for index in chosen:
        record = records[index]
        district = district_of(record.civil_code)
        assert district is not None
        for _ in range(50):
            broken = _break_code(rng, record.device_id, district)
            if broken not in seen and check_device_code(broken, civil_code=record.civil_code):
                break
        else:  # pragma: no cover - 50 misses in a row cannot happen with these defects
            raise RuntimeError("could not break a device code")
        seen.add(broken)
        record.device_id = broken
    for record in records:
        record.code_flags = check_device_code(record.device_id, civil_code=record.civil_code)
