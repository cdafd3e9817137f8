from __future__ import annotations

from django.urls import path

from accounts import preference_views, views

app_name = "accounts"
urlpatterns = [
    path("linkedin/login/", views.linkedin_login, name="linkedin_login"),
    path("linkedin/callback/", views.linkedin_callback, name="linkedin_callback"),
    path("settings/", preference_views.preferences, name="preferences"),
]
