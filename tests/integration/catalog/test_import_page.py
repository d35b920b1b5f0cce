"""Administrators import an appendix-5 catalogue through the admin page."""

from __future__ import annotations

import csv
import io

import msgspec
from litestar.testing import AsyncTestClient

from bff.catalog.importer import catalogue_row
from bff.demo.catalogue import generate_demo_catalogue
from tests.helpers import api_headers, sign_in


def catalogue_csv() -> tuple[bytes, str]:
    """Three new cameras (ids the demo catalogue does not use) and one broken row."""
    rows = []
    for n, record in enumerate(generate_demo_catalogue(3, seed=99)):
        record = msgspec.structs.replace(record, device_id=f"441502000013100099{n:02d}",
                                         name=f"导入测试摄像机{n}")
        rows.append(catalogue_row(record))
    broken = dict(rows[0], **{next(iter(rows[0])): "12AB"})
    broken = {k: ("" if "设备名称" in k else v) for k, v in broken.items()}
    rows.append(broken)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig"), rows[0][next(iter(rows[0]))]


async def upload(client: AsyncTestClient, name: str, content: bytes):  # noqa: ANN201
    return await client.post("/admin/catalog/import", files={"file": (name, content)},
                             data={"_csrf_token": client.cookies.get("csrftoken", "")})


async def test_admin_imports_and_the_index_sees_the_cameras(client: AsyncTestClient) -> None:
    await sign_in(client, "admin")
    assert (await client.get("/admin/catalog/import")).status_code == 200
    content, first_id = catalogue_csv()
    response = await upload(client, "目录.csv", content)
    assert response.status_code == 200, response.text
    assert "导入 3 行" in response.text and "拒绝 1 行" in response.text
    assert "12AB" in response.text  # the refused row is listed with its reason
    found = (await client.get("/api/cameras/nearby", params={"lat": 22.78, "lon": 115.37,
                                                             "q": "导入测试摄像机"},
                              headers=api_headers(client))).json()
    assert sorted(c["name"] for c in found) == ["导入测试摄像机0", "导入测试摄像机1", "导入测试摄像机2"]
    assert first_id in {c["device_id"] for c in found}


async def test_only_administrators_import(client: AsyncTestClient) -> None:
    await sign_in(client, "approver01")
    assert (await client.get("/admin/catalog/import")).status_code == 403
    content, _ = catalogue_csv()
    assert (await upload(client, "目录.csv", content)).status_code == 403


async def test_bad_uploads_are_clear_400s(client: AsyncTestClient) -> None:
    await sign_in(client, "admin")
    wrong_type = await upload(client, "目录.txt", b"hello")
    assert wrong_type.status_code == 400 and "仅支持 CSV 或 XLSX" in wrong_type.text
    broken_xlsx = await upload(client, "目录.xlsx", b"not a zip file")
    assert broken_xlsx.status_code == 400 and "文件无法读取" in broken_xlsx.text
