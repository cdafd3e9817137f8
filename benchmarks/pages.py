"""The page benchmark: the dashboard's pages over a million notes, timed on the server side.

    python -m benchmarks pages [--notes 1000000] [--runs 40] [--target 100]

1. creates a dedicated database (benchmarks.sync.bench_database: the configured one's name +
   `_bench`, never the configured database itself) and fills it in SQL, not through the ORM:
   one contract, --seats seats, --prospects prospects and --notes notes spread over a year
   (INSERT ... SELECT generate_series on PostgreSQL, a recursive CTE on SQLite), then ANALYZE;
2. signs in a recruiting admin with Django's test client (the whole stack: middleware, session,
   views, templates) and requests each page --runs times after a warm-up;
3. prints one line per page, `page <name>: p50 X ms, p95 Y ms, queries Q`, and fails (exit 1)
   when the p95 of one of the issue's pages passes --target ms.

Pages: the notes list (first page, a seat + date filter, a common word, a rare word, a quoted
phrase, a word less another, an accented word with a stemmed one, page 500 reached through the
"Older" links' cursor, a prospect's name, a seat holder's name), a prospect's timeline, the
prospect list searched by name, a search as a recruiter holding 3 seats, the seats and the
sync page; and for information that recruiter's notes list, the home page (admin and
recruiter) and the prospect list.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

YEAR_SECONDS = 365 * 24 * 3600
DEEP_PAGE = 500
# Note texts are built from these, so that a word's share of the notes is known: "relocation"
# is in one note of 13, each note's own md5 token in exactly one.
SKILLS = ["python", "java", "golang", "rust", "sales", "design", "data", "devops"]
PHRASES = [
    "open to relocation",
    "prefers remote work",
    "notice period three months",
    "salary expectations fine",
    "follow up next week",
    "not looking right now",
    "referred by a former colleague",
    "strong portfolio",
    "wants a team lead role",
    "interviewing elsewhere",
    "asked about equity",
    "great culture fit",
    "needs visa sponsorship",
]


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks pages")
    p.add_argument("--notes", type=int, default=1_000_000)
    p.add_argument("--seats", type=int, default=50)
    p.add_argument("--prospects", type=int, default=20_000)
    p.add_argument("--runs", type=int, default=40, help="timed requests per page")
    p.add_argument("--target", type=float, default=100.0, help="p95 budget per page, ms")
    args, _ = p.parse_known_args(argv)  # `all` hands every benchmark the same options
    return args


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    from benchmarks.sync import _prepare_environment, bench_database

    _prepare_environment()
    # The test client speaks plain HTTP to "localhost".
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    # Without REDIS_URL the settings start the embedded "bench" Redis (the sync page reads the
    # queue); it is left running, since `python -m benchmarks all` runs the sync next with it.
    with bench_database() as (_, label):
        _plain_static_files()
        began = time.perf_counter()
        fixture = fill(args)
        print(
            f"pages: {label}; {args.notes:,} notes, {args.seats} seats, "
            f"{args.prospects:,} prospects generated in {time.perf_counter() - began:.1f} s",
            flush=True,
        )
        results = [(page, measure(page, args.runs)) for page in pages(fixture)]
    failed = [r for page, r in results if page.target and r.p95 > args.target]
    for result in failed:
        print(f"pages: {result.name} p95 {result.p95:.1f} ms is over {args.target:.0f} ms")
    return 1 if failed else 0


def _plain_static_files() -> None:
    # The manifest storage wants collectstatic first; hashed names cost the same dict lookup.
    from django.conf import settings

    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    settings.STORAGES = {**settings.STORAGES, "staticfiles": plain}


# --- data ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fixture:
    seat_id: int
    prospect_id: int
    rare_word: str
    deep_page: int
    deep_cursor: str
    since: str
    prospect_number: int  # "Member <n>", whose notes the name search looks for


def fill(args: argparse.Namespace) -> Fixture:
    from django.contrib.auth.models import Group, User
    from django.db import connection, transaction
    from django.utils import timezone

    from recruiter.counters import recount
    from recruiter.models import Contract, Prospect, ProspectNote, Seat
    from recruiter.permissions import RECRUITING_ADMINS
    from recruiter.search import index_pending_notes

    admin = User.objects.create_user("bench-admin", password=None)
    admin.groups.add(Group.objects.get_or_create(name=RECRUITING_ADMINS)[0])
    contract = Contract.objects.create(urn="urn:li:contract:1", name="Benchmark contract")
    seats = Seat.objects.bulk_create(
        Seat(
            contract=contract,
            urn=f"urn:li:seat:{i}",
            holder_name=f"Recruiter {i:02d}",
            member=f"urn:li:person:s{i:04d}",
            state=Seat.State.ACTIVE if i % 10 else Seat.State.INACTIVE,
            roles=["SOURCER_ADD_PROSPECT"],
        )
        for i in range(args.seats)
    )
    seats[0].users.add(admin)  # one mapped seat, the rest "unmapped"
    recruiter = User.objects.create_user("bench-recruiter", password=None)
    for seat in seats[1:4]:
        seat.users.add(recruiter)  # three seats: 6% of the notes
    Prospect.objects.bulk_create(
        (
            Prospect(urn=f"urn:li:person:m{i:06d}", name=f"Member {i:06d}")
            for i in range(args.prospects)
        ),
        batch_size=5000,
    )
    from accounts.models import Preference

    # Both came by yesterday: the home page lists what changed since.
    yesterday = timezone.now() - timedelta(days=1)
    for user in (admin, recruiter):
        Preference.objects.create(user=user, visit_started_at=yesterday, last_seen_at=yesterday)
    first_seat = min(s.pk for s in seats)
    first_prospect = Prospect.objects.order_by("pk").values_list("pk", flat=True).first()
    now = timezone.now()
    params = {
        "n": args.notes,
        "contract": contract.pk,
        "seats": args.seats,
        "first_seat": first_seat,
        "prospects": args.prospects,
        "first_prospect": first_prospect,
        "now": now,
        "step": YEAR_SECONDS / args.notes,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Counted once below rather than by the notes' row trigger, a million times.
            cursor.execute("SET LOCAL recruiter.counted_by_writer TO 'on'")
            cursor.execute(_POSTGRES_FILL.format(**_arrays()), params)
            # Pending for the search index, as the sync leaves the notes it inserts.
            cursor.execute(
                "INSERT INTO recruiter_searchbacklog (lo, hi)"
                " SELECT min(id), max(id) FROM recruiter_prospectnote"
            )
    if connection.vendor == "postgresql":
        recount()  # the seats' note counts and the Sync page's buckets
        # The steady state: the indexing job has computed every note's search vector.
        index_pending_notes()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE recruiter_prospectnote")
            cursor.execute("ANALYZE")  # seats and prospects too: the planner needs their sizes
        else:
            cursor.execute(_SQLITE_FILL.format(**_arrays()), {**params, "now": _naive(now)})
            cursor.execute("ANALYZE")
    # The key of the 24,950th note: where the "Older" links leave a reader on page 500 (or
    # on the last page, with fewer notes).
    from recruiter.forms import Cursor

    deep = min(DEEP_PAGE, args.notes * 49 // 50 // 50)
    last_before = ProspectNote.objects.filter(active=True).order_by("-created", "-id")[
        (deep - 1) * 50 - 1
    ]
    prospect = ProspectNote.objects.filter(prospect_id=first_prospect + 7).values_list(
        "prospect_id"
    )[:1]
    rare = ProspectNote.objects.filter(linkedin_id=args.notes // 3).values_list("text", flat=True)
    return Fixture(
        seat_id=first_seat + 3,
        prospect_id=prospect[0][0],
        rare_word=rare[0].split()[-1],
        deep_page=deep,
        deep_cursor=str(Cursor.of(last_before)),
        since=(now - timedelta(days=30)).date().isoformat(),
        prospect_number=777 % args.prospects,
    )


def _arrays() -> dict[str, str]:
    def sql_array(words: list[str]) -> str:
        return ", ".join(f"'{w}'" for w in words)

    return {"skills": sql_array(SKILLS), "phrases": sql_array(PHRASES)}


def _naive(value):
    return value.replace(tzinfo=None).isoformat(sep=" ")


# Every 50th note is deleted, every 10th was edited a day after it was written; seats and
# prospects are spread by multiplication so that neighbours in time differ.
_POSTGRES_FILL = """
INSERT INTO recruiter_prospectnote
    (contract_id, linkedin_id, owner_id, prospect_id, text, created, last_modified, active,
     deleted_at, deleted_by, first_synced_at, last_synced_at)
SELECT %(contract)s, i,
    %(first_seat)s + (i * 31) %% %(seats)s,
    %(first_prospect)s + (i * 7919) %% %(prospects)s,
    'Spoke about a ' || (ARRAY[{skills}])[1 + i %% 8] || ' role; ' ||
        (ARRAY[{phrases}])[1 + (i * 7) %% 13] || E'.\\nRef ' || md5(i::text),
    c.created,
    c.created + CASE WHEN i %% 10 = 0 THEN interval '1 day' ELSE interval '0' END,
    i %% 50 <> 0,
    CASE WHEN i %% 50 = 0 THEN c.created + interval '2 days' END,
    CASE WHEN i %% 50 = 0 THEN 'sync' ELSE '' END,
    c.created, c.created
FROM generate_series(1, %(n)s::bigint) AS i,
    LATERAL (SELECT %(now)s::timestamptz - make_interval(secs => i * %(step)s) AS created) AS c
"""

_SQLITE_FILL = """
INSERT INTO recruiter_prospectnote
    (contract_id, linkedin_id, owner_id, prospect_id, text, created, last_modified, active,
     deleted_at, deleted_by, first_synced_at, last_synced_at)
WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < %(n)s),
    skills(k, w) AS (SELECT key, value FROM json_each(json_array({skills}))),
    phrases(k, w) AS (SELECT key, value FROM json_each(json_array({phrases}))),
    rows AS (
        SELECT i, strftime('%%Y-%%m-%%d %%H:%%M:%%f', %(now)s,
                           '-' || CAST(i * %(step)s AS TEXT) || ' seconds') AS created
        FROM seq
    )
SELECT %(contract)s, i,
    %(first_seat)s + (i * 31) %% %(seats)s,
    %(first_prospect)s + (i * 7919) %% %(prospects)s,
    'Spoke about a ' || (SELECT w FROM skills WHERE k = i %% 8) || ' role; ' ||
        (SELECT w FROM phrases WHERE k = (i * 7) %% 13) || '.' || char(10) || 'Ref r' ||
        hex(i * 2654435761),
    created,
    CASE WHEN i %% 10 = 0 THEN strftime('%%Y-%%m-%%d %%H:%%M:%%f', created, '+1 day')
         ELSE created END,
    i %% 50 <> 0,
    CASE WHEN i %% 50 = 0 THEN strftime('%%Y-%%m-%%d %%H:%%M:%%f', created, '+2 days') END,
    CASE WHEN i %% 50 = 0 THEN 'sync' ELSE '' END,
    created, created
FROM rows
"""


# --- timing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    # Pages outside the issues' lists are measured for information only.
    target: bool = True
    user: str = "bench-admin"


@dataclass(frozen=True)
class Result:
    name: str
    p50: float
    p95: float
    queries: int


def pages(f: Fixture) -> list[Page]:
    from django.urls import reverse

    notes = reverse("recruiter:note_list")
    return [
        Page("notes", notes),
        Page("notes-filtered", f"{notes}?seat={f.seat_id}&created_from={f.since}"),
        Page("notes-search", f"{notes}?q=relocation"),
        Page("notes-search-rare", f"{notes}?q={f.rare_word}"),
        Page(f"notes-page-{f.deep_page}", f"{notes}?after={f.deep_cursor}&page={f.deep_page}"),
        # Names (issue 12): one prospect's notes, one seat holder's (a fiftieth of all notes).
        Page("notes-search-name", f"{notes}?q=Member+{f.prospect_number:06d}"),
        Page("notes-search-seat", f"{notes}?q=Recruiter+07"),
        Page("prospect", reverse("recruiter:prospect_detail", args=[f.prospect_id])),
        Page("prospects-search", f"{reverse('recruiter:prospect_list')}?q=member+0123"),
        Page("notes-search-phrase", f"{notes}?q=%22open+to+relocation%22"),
        Page("notes-search-exclude", f"{notes}?q=relocation+-java"),
        Page("notes-search-stem-accent", f"{notes}?q=relocati%C3%B3n+or+interviews"),
        Page("notes-recruiter", notes, target=False, user="bench-recruiter"),
        Page("notes-search-recruiter", f"{notes}?q=relocation", user="bench-recruiter"),
        Page("home", reverse("home"), target=False),
        Page("home-recruiter", reverse("home"), target=False, user="bench-recruiter"),
        Page("prospects", reverse("recruiter:prospect_list"), target=False),
        # Targets since the notes' triggers keep per-seat counts and notes per quarter hour.
        Page("seats", reverse("recruiter:seat_list")),
        Page("sync", reverse("recruiter:sync_status")),
    ]


def measure(page: Page, runs: int) -> Result:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username=page.user))
    get: Callable = client.get
    for _ in range(3):  # warm caches: templates, the ORM's, PostgreSQL's buffers
        response = get(page.url)
        if response.status_code != 200:
            raise SystemExit(f"page {page.name}: HTTP {response.status_code} for {page.url}")
    timings = []
    for _ in range(runs):
        began = time.perf_counter()
        response = get(page.url)
        timings.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        get(page.url)
    timings.sort()
    result = Result(
        page.name,
        p50=statistics.median(timings),
        p95=timings[max(0, round(0.95 * len(timings)) - 1)],
        queries=len(queries),
    )
    print(
        f"page {result.name}: p50 {result.p50:.1f} ms, p95 {result.p95:.1f} ms, "
        f"queries {result.queries}{'' if page.target else ' (for information)'}",
        flush=True,
    )
    return result
