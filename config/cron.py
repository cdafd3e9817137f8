"""The periodic jobs, run by `python manage.py rqcron config.cron`.

Each entry only enqueues work on the default queue, through the apps' queue modules. RQ's
scheduler has no leader election, so two of them (one per host) may run: each fan-out claims
its tick in Redis first (recruiter.queue.claim_tick) and the jobs it enqueues have fixed ids,
so every job is enqueued once per tick however many schedulers fire.
"""

from __future__ import annotations

from rq import cron

from config import jobs
from recommendations import jobs as recommendation_jobs
from recruiter import jobs as recruiter_jobs
from recruiter import orphans, retention

cron.register(jobs.clear_expired_sessions, "default", cron="17 3 * * *", job_timeout=600)

# Every active contract's notes, from its watermark (one job per contract, never two queued).
cron.register(
    recruiter_jobs.sync_active_contracts,
    "default",
    interval=recruiter_jobs.sync_interval_seconds(),
    job_timeout=recruiter_jobs.FAN_OUT_TIMEOUT,
)
# Search vectors of notes written by any path (each sync job also asks for this at its end):
# one index job under a fixed id, however many schedulers ask.
cron.register(
    recruiter_jobs.enqueue_search_index,
    "default",
    interval=10 * 60,
    job_timeout=recruiter_jobs.FAN_OUT_TIMEOUT,
)
# Runs whose worker died are marked interrupted within a minute (recruiter/orphans.py).
cron.register(orphans.heal, "default", interval=15, job_timeout=60)
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
    job_timeout=recommendation_jobs.FAN_OUT_TIMEOUT,
)
# Retention: deleted notes' texts, push event bodies, old sync runs, ended contracts' notes.
cron.register(retention.retention_job, "default", cron="29 4 * * *", job_timeout=3600)
