"""The recruiter dashboard's views, one module per page family."""

from __future__ import annotations
