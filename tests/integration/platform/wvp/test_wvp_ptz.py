"""PTZ through the WVP adapter against the double: the path and speeds of each version."""

from __future__ import annotations

from bff.platform.base import PtzCommand, PtzMove
from bff.platform.wvp import WvpPlatform
from tests.integration.platform.wvp.wvp_support import DOME, NVR, versions
from tests.wvp_double import WvpDouble


@versions
async def test_ptz_goes_to_the_path_of_the_version(double: WvpDouble, wvp: WvpPlatform) -> None:
    await wvp.ptz(DOME, PtzMove(command=PtzCommand.UPLEFT, pan_speed=255, tilt_speed=51,
                                zoom_speed=15))
    await wvp.ptz(DOME, PtzMove(command=PtzCommand.STOP))
    first, second = double.ptz_commands
    assert (first["device"], first["channel"], first["command"]) == (NVR, DOME, "upleft")
    assert second["command"] == "stop"
    if double.version == "2.7.1":
        [call, _] = double.calls("/api/ptz/control/")
        assert call.method == "POST" and first["path"] == "control"
        assert (first["horizonSpeed"], first["verticalSpeed"], first["zoomSpeed"]) == (
            "255", "51", "15")
    elif double.version == "2.7.3":
        assert double.calls(f"/api/front-end/ptz/{NVR}/{DOME}")[0].method == "GET"
        assert (first["horizonSpeed"], first["verticalSpeed"], first["zoomSpeed"]) == (
            "255", "51", "15")
    else:  # the common front-end API takes 0–100
        assert first["path"] == "common"
        assert (first["panSpeed"], first["tiltSpeed"], first["zoomSpeed"]) == ("100", "20", "100")
