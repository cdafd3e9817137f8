"""The one date format of the site and of the admin (Django's locale formats win over the
DATETIME_FORMAT settings, so they are set here, via FORMAT_MODULE_PATH).

ISO-like dates, which a date input accepts as typed and which sort as they read, and every
time with its zone: each user sees their own (accounts.middleware.TimeZoneMiddleware).
"""

from __future__ import annotations

DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i T"
SHORT_DATETIME_FORMAT = "Y-m-d H:i T"
TIME_FORMAT = "H:i T"
MONTH_DAY_FORMAT = "M j"
YEAR_MONTH_FORMAT = "F Y"
DATE_INPUT_FORMATS = ["%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
TIME_INPUT_FORMATS = ["%H:%M:%S", "%H:%M"]
FIRST_DAY_OF_WEEK = 1
