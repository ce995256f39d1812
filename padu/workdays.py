"""Working days for service standards (Monday to Friday; national holidays not yet modelled)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TypeVar

Day = TypeVar("Day", date, datetime)


def add_working_days(start: Day, days: int) -> Day:
    """``start`` moved forward by ``days`` working days (keeping a datetime's time of day)."""
    moment = start
    while days > 0:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            days -= 1
    return moment
