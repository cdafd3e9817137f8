"""Logging filters: what must never reach a log line."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

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


class ShortReportedTracebacks(logging.Filter):
    """Cut to its last line the traceback RQ logs for a job failure we have already reported.

    A failed sync logs its cause at ERROR (LinkedIn's message and request id) and then raises
    only so that RQ records the job as failed; RQ's own ERROR line would repeat it as a stack
    of our internals. RQ keeps the whole traceback on the job for its dashboard.
    """

    def __init__(self, exceptions: Sequence[str] = ()) -> None:
        super().__init__()
        self.prefixes = tuple(f"{name}:" for name in exceptions)

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if not self.prefixes or not isinstance(args, tuple) or not args:
            return True
        text = args[-1]
        if isinstance(text, str) and text.startswith("Traceback"):
            last = text.rstrip().rsplit("\n", 1)[-1]
            if last.startswith(self.prefixes):
                record.args = (*args[:-1], last)
        return True
