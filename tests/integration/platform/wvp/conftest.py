"""Fixtures of the WVP adapter's integration tests: a running WVP double with the
support module's cameras (its options by indirect parametrization), and an adapter
pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from bff.platform.wvp import WvpPlatform
from tests.integration.platform.wvp.wvp_support import populate, wvp_settings
from tests.wvp_double import WvpDouble


@pytest.fixture
def double(request: pytest.FixtureRequest) -> Iterator[WvpDouble]:
    options = dict(getattr(request, "param", None) or {})
    with WvpDouble(fps=10, **options) as running:
        populate(running)
        yield running


@pytest.fixture
async def wvp(double: WvpDouble) -> AsyncIterator[WvpPlatform]:
    platform = WvpPlatform(wvp_settings(double))
    yield platform
    await platform.close()
