"""The periodic jobs, run by `python manage.py rqcron config.cron` (one scheduler process).

Each job only enqueues work on the default queue; the jobs themselves take ids and are
idempotent, so a late or doubled tick does no harm.
"""

from __future__ import annotations

from rq import cron  # noqa: F401 (the jobs are registered below as the issues land)
