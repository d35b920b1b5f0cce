"""The one msgspec base every input and output struct derives from."""

from __future__ import annotations

import msgspec


class Schema(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=False):
    """Base for request and response bodies: unknown fields are an error, not ignored."""
