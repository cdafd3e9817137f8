from __future__ import annotations

app_name = "recommendations"
urlpatterns: list = []
