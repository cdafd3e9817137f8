"""Logging filters: what must never reach a log line."""

from __future__ import annotations

import logging
import re

# code= and state= of an OAuth redirect (LinkedIn's callback), wherever a URL or query string
# shows up in a message: runserver's request line, a Bad Request warning, our own messages.
_OAUTH_PARAMETER = re.compile(r"(?i)(?<![\w-])((?:code|state)=)[^&\s\"'#]*")


def redact(text: str) -> str:
    return _OAUTH_PARAMETER.sub(r"\1[redacted]", text)


class RedactOAuthParameters(logging.Filter):
    """Rewrite the record's message with OAuth codes and states blanked; never drops it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler to report
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
