"""Notes written per day, as bars for an inline SVG (the CSP forbids style attributes, so the
bars' sizes are SVG geometry attributes computed here)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from recruiter.models import NoteBucket

DAYS = 90
BAR_STEP = 8  # SVG units per day: a 6-unit bar and a 2-unit gap
BAR_WIDTH = 6
HEIGHT = 120


@dataclass(frozen=True)
class Bar:
    day: dt.date
    count: int
    x: int
    y: float
    height: float

    @property
    def title(self) -> str:
        """The bar's tooltip, formatted here: ninety `date` and `intcomma` filters in the
        template cost more than the chart's query."""
        return f"{self.day:%a %Y-%m-%d}: {self.count:,} note{'' if self.count == 1 else 's'}"


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    total: int
    peak: int
    width: int = DAYS * BAR_STEP
    height: int = HEIGHT

    @property
    def first_day(self) -> dt.date:
        return self.bars[0].day

    @property
    def last_day(self) -> dt.date:
        return self.bars[-1].day


def notes_per_day(days: int = DAYS) -> Chart:
    """Notes created on each of the last `days` days (deleted ones included: they were written),
    in one query: the quarter-hour buckets the notes' triggers keep, added up by local day
    (exact in every time zone, whose offsets are whole quarter hours)."""
    today = timezone.localdate()
    first = today - dt.timedelta(days=days - 1)
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    # Added up by the database (90 rows back, not thousands of buckets to convert here).
    counts = dict(
        NoteBucket.objects.filter(start__gte=start, count__gt=0)
        .annotate(day=TruncDate("start"))
        .values("day")
        .annotate(n=Sum("count"))
        .values_list("day", "n")
        .order_by()
    )
    peak = max(counts.values(), default=0)
    bars = []
    for i in range(days):
        day = first + dt.timedelta(days=i)
        n = counts.get(day, 0)
        # A day with notes gets at least one unit, so that it never looks like an empty day.
        height = max(1.0, HEIGHT * n / peak) if n else 0.0
        bars.append(Bar(day, n, i * BAR_STEP, round(HEIGHT - height, 1), round(height, 1)))
    return Chart(bars, total=sum(counts.values()), peak=peak, width=days * BAR_STEP)
