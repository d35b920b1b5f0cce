"""Map settings: tile URL templates are checked when the settings load."""

from __future__ import annotations

import pytest

from bff.lib.settings import ENVIRONMENT_VARIABLES, MapSettings, SettingsError, load_settings

TIANDITU_WMTS = ("https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
                 "&VERSION=1.0.0&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
                 "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=0123abcd")
TIANDITU_LABELS = "https://t{s}.tianditu.gov.cn/DataServer?T=cva_w&x={x}&y={y}&l={z}&tk=0123abcd"
SUBDOMAINS = "0,1,2,3,4,5,6,7"


def test_no_tiles_by_default() -> None:
    settings = load_settings({})
    assert settings.map.tile_url == "" and settings.map.label_url == ""
    assert settings.map.max_zoom == 18
    assert (settings.map.centre_lat, settings.map.centre_lon) == (22.7787, 115.3752)


def test_tianditu_layers_from_the_environment() -> None:
    settings = load_settings({
        "BFF_MAP_TILE_URL": f" {TIANDITU_WMTS} ", "BFF_MAP_LABEL_URL": TIANDITU_LABELS,
        "BFF_MAP_TILE_SUBDOMAINS": SUBDOMAINS, "BFF_MAP_ATTRIBUTION": "© 天地图",
        "BFF_MAP_MAX_ZOOM": "17", "BFF_MAP_CENTRE_LAT": "22.95", "BFF_MAP_CENTRE_LON": "115.65",
    })
    assert settings.map.tile_url == TIANDITU_WMTS  # surrounding blanks dropped
    assert settings.map.label_url == TIANDITU_LABELS
    assert settings.map.subdomains == list("01234567")
    assert settings.map.attribution == "© 天地图" and settings.map.max_zoom == 17
    assert (settings.map.centre_lat, settings.map.centre_lon) == (22.95, 115.65)


@pytest.mark.parametrize("url", [
    "http://10.1.2.3:8080/tiles/{z}/{x}/{y}.png",  # an intranet tile server
    "https://gis.example.gov.cn/arcgis/rest/services/base/MapServer/tile/{z}/{y}/{x}",
    "https://tiles.example/{z}/{x}/{-y}.png",  # TMS row order
    "https://tiles.example/{z}/{x}/{y}{r}.png",
    "https://t{s}.tianditu.gov.cn/DataServer?T=vec_w&x={x}&y={y}&l={z}&tk=0123abcd",
])
def test_good_templates(url: str) -> None:
    assert MapSettings(tile_url=url, subdomains=["0", "1"]).tile_url == url


@pytest.mark.parametrize("url,reason", [
    ("ftp://tiles.example/{z}/{x}/{y}.png", "http"),
    ("javascript:alert(1)//{z}{x}{y}", "http"),
    ("//tiles.example/{z}/{x}/{y}.png", "http"),
    ("https:///{z}/{x}/{y}.png", "http"),
    ("tiles.example/{z}/{x}/{y}.png", "http"),
    ("https://tiles.example/{z}/{x}.png", "{z}, {x} and {y}"),
    ("https://tiles.example/tile.png", "{z}, {x} and {y}"),
    ("https://tiles.example/{z}/{x}/{y}.png?tk={key}", "unknown placeholder"),
    ("https://tiles.example/{z}/{x}/{y}.png?a=1 b=2", "spaces"),
    ('https://tiles.example/{z}/{x}/{y}.png"><script>', "spaces"),
    ("https://t{s}.tianditu.gov.cn/DataServer?T=vec_w&x={x}&y={y}&l={z}", "SUBDOMAINS"),
])
def test_bad_templates_are_refused(url: str, reason: str) -> None:
    with pytest.raises(ValueError, match="BFF_MAP_TILE_URL") as caught:
        MapSettings(tile_url=url)
    assert reason in str(caught.value)
    with pytest.raises(SettingsError, match="BFF_MAP_TILE_URL"):
        load_settings({"BFF_MAP_TILE_URL": url})


def test_label_layer_is_checked_and_needs_a_base_map() -> None:
    with pytest.raises(SettingsError, match="needs BFF_MAP_TILE_URL"):
        load_settings({"BFF_MAP_LABEL_URL": TIANDITU_LABELS, "BFF_MAP_TILE_SUBDOMAINS": SUBDOMAINS})
    with pytest.raises(SettingsError, match="BFF_MAP_LABEL_URL"):
        load_settings({"BFF_MAP_TILE_URL": "https://tiles.example/{z}/{x}/{y}.png",
                       "BFF_MAP_LABEL_URL": "https://labels.example/{z}/{x}.png"})


@pytest.mark.parametrize("name,value", [
    ("BFF_MAP_MAX_ZOOM", "0"), ("BFF_MAP_MAX_ZOOM", "23"), ("BFF_MAP_MAX_ZOOM", "deep"),
    ("BFF_MAP_CENTRE_LAT", "91"), ("BFF_MAP_CENTRE_LON", "east"),
    ("BFF_MAP_ATTRIBUTION", "x" * 301),
])
def test_bad_numbers_and_lengths(name: str, value: str) -> None:
    with pytest.raises(SettingsError):
        load_settings({name: value})


def test_every_map_variable_is_known() -> None:
    assert {"BFF_MAP_TILE_URL", "BFF_MAP_LABEL_URL", "BFF_MAP_TILE_SUBDOMAINS",
            "BFF_MAP_ATTRIBUTION", "BFF_MAP_MAX_ZOOM", "BFF_MAP_CENTRE_LAT",
            "BFF_MAP_CENTRE_LON"} <= set(ENVIRONMENT_VARIABLES)
