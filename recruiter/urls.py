from __future__ import annotations

app_name = "recruiter"
urlpatterns: list = []
