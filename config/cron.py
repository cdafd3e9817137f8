"""The periodic jobs, run by `python manage.py rqcron config.cron` (one scheduler process).

Each entry only enqueues work on the default queue; the jobs take ids and are idempotent, so a
late or doubled tick does no harm.
"""

from __future__ import annotations

from django.conf import settings
from rq import cron

from config import jobs
from recommendations import jobs as recommendation_jobs
from recruiter import jobs as recruiter_jobs

cron.register(jobs.clear_expired_sessions, "default", cron="17 3 * * *", job_timeout=600)

# Every active contract's notes, from its watermark (one job per contract, never two queued).
cron.register(
    recruiter_jobs.sync_active_contracts,
    "default",
    interval=settings.SYNC_INTERVAL_MINUTES * 60,
    job_timeout=recruiter_jobs.FAN_OUT_TIMEOUT,
)
# Search vectors of notes written by any path (each sync job also asks for this at its end).
cron.register(
    recruiter_jobs.index_notes_for_search,
    "default",
    interval=10 * 60,
    job_timeout=recruiter_jobs.RESCAN_TIMEOUT,
)
# The daily re-scan of the last rescan_days days catches late edits and deletions.
cron.register(
    recruiter_jobs.rescan_active_contracts,
    "default",
    cron="41 2 * * *",
    job_timeout=recruiter_jobs.FAN_OUT_TIMEOUT,
)
# Every active contract's seats and who holds them (names, states, automatic user mappings).
cron.register(
    recruiter_jobs.refresh_active_contracts_seats,
    "default",
    cron="23 2 * * *",
    job_timeout=recruiter_jobs.FAN_OUT_TIMEOUT,
)
# Connected members' recommendation requests, hourly (one job per account).
cron.register(
    recommendation_jobs.refresh_all_accounts,
    "default",
    cron="7 * * * *",
    job_timeout=recommendation_jobs.JOB_TIMEOUT,
)
