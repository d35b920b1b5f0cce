"""Structured logs: one JSON object per line (or plain text for a terminal)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from litestar.logging import LoggingConfig

_STANDARD = set(vars(logging.makeLogRecord({})))


class JsonFormatter(logging.Formatter):
    """Renders a record with its `extra={...}` fields as a JSON line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items()
                      if k not in _STANDARD and not k.startswith("_") and k != "message"})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def logging_config(log_format: str, level: str) -> LoggingConfig:
    formatter = ({"()": JsonFormatter} if log_format == "json"
                 else {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"})
    return LoggingConfig(
        root={"level": level.upper(), "handlers": ["queue_listener"]},
        formatters={"standard": formatter},
        log_exceptions="debug",
    )
