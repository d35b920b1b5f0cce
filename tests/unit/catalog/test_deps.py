"""`provide_camera`: the record behind the `device_id` path parameter, or a 404 in the
user's language."""

from __future__ import annotations

import pytest
from litestar import get
from litestar.di import Provide
from litestar.testing import create_test_client

from bff.catalog.deps import provide_camera
from bff.catalog.errors import CATALOG_ERRORS, CameraNotFound
from bff.catalog.schemas import CameraRecord
from bff.catalog.services import CatalogService
from bff.demo.catalogue import generate_demo_catalogue
from bff.lib.errors import answer_of, exception_handler
from bff.lib.i18n import translate


class Catalogue(CatalogService):
    """A catalogue held in memory only (no database behind it)."""

    def __init__(self, records: list[CameraRecord]) -> None:
        self._by_id = {r.device_id: r for r in records}

    def get(self, device_id: str) -> CameraRecord | None:
        return self._by_id.get(device_id)


RECORD = generate_demo_catalogue(20)[0]
CATALOGUE = Catalogue([RECORD])


def test_a_known_camera_is_provided() -> None:
    assert provide_camera(RECORD.device_id, CATALOGUE) is RECORD


def test_an_unknown_camera_is_404() -> None:
    with pytest.raises(CameraNotFound) as raised:
        provide_camera("44150200001320000999", CATALOGUE)
    answer = answer_of(CATALOG_ERRORS, raised.value)
    assert answer is not None and (answer.status, answer.code) == (404, "camera.not_found")


@get("/api/cameras/{device_id:str}", dependencies={
    "catalog": Provide(lambda: CATALOGUE, sync_to_thread=False),
    "camera": Provide(provide_camera, sync_to_thread=False)})
async def camera_name(camera: CameraRecord) -> str:
    return camera.name


@pytest.mark.parametrize("language, locale", [("en-GB,en;q=0.9", "en"), ("zh-CN", "zh-CN")])
def test_the_404_speaks_the_users_language(language: str, locale: str) -> None:
    with create_test_client([camera_name],
                            exception_handlers={Exception: exception_handler(CATALOG_ERRORS)}) as client:
        assert client.get(f"/api/cameras/{RECORD.device_id}").text == RECORD.name
        response = client.get("/api/cameras/unknown", headers={"accept-language": language})
    assert response.status_code == 404
    assert response.json() == {"error": "camera.not_found",
                               "message": translate("camera.not_found", locale)}
