from __future__ import annotations

from django.urls import path

from recommendations.views import connect, lists, requests

app_name = "recommendations"
urlpatterns = [
    path("", lists.received, name="received"),
    path("sent/", lists.sent, name="sent"),
    path("refresh/", lists.refresh, name="refresh"),
    path("new/", requests.create, name="create"),
    path("requests/<int:pk>/", requests.detail, name="detail"),
    path("requests/<int:pk>/edit/", requests.edit, name="edit"),
    path("requests/<int:pk>/accept/", requests.change_status, {"verb": "accept"}, name="accept"),
    path("requests/<int:pk>/decline/", requests.change_status, {"verb": "decline"}, name="decline"),
    path(
        "requests/<int:pk>/withdraw/", requests.change_status, {"verb": "withdraw"}, name="withdraw"
    ),
    path("linkedin/connect/", connect.connect, name="connect"),
    path("linkedin/callback/", connect.oauth_callback, name="oauth_callback"),
    path("linkedin/disconnect/", connect.disconnect, name="disconnect"),
]
