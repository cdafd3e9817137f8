"""The periodic jobs, run by `python manage.py rqcron config.cron` (one scheduler process).

Each entry only enqueues work on the default queue; the jobs take ids and are idempotent, so a
late or doubled tick does no harm.
"""

from __future__ import annotations

from rq import cron

from config import jobs

cron.register(jobs.clear_expired_sessions, "default", cron="17 3 * * *", job_timeout=600)
