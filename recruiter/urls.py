from __future__ import annotations

from django.urls import path

from recruiter.views import going_live, notes, prospects, seats, sync

app_name = "recruiter"
urlpatterns = [
    path("notes/", notes.note_list, name="note_list"),
    path("notes/export.csv", notes.note_export, name="note_export"),
    path("prospects/", prospects.prospect_list, name="prospect_list"),
    path("prospects/<int:pk>/", prospects.prospect_detail, name="prospect_detail"),
    path("prospects/<int:pk>/name/", prospects.prospect_name, name="prospect_name"),
    path("seats/", seats.seat_list, name="seat_list"),
    path("seats/<int:pk>/map/", seats.seat_map, name="seat_map"),
    path("sync/", sync.sync_status, name="sync_status"),
    path("sync/progress.json", sync.sync_progress, name="sync_progress"),
    path("sync/<int:pk>/now/", sync.sync_now, name="sync_now"),
    path("sync/<int:pk>/test-connection/", going_live.test_connection, name="test_connection"),
    path("sync/<int:pk>/backfill/", going_live.start_backfill, name="start_backfill"),
    path("sync/<int:pk>/backfill/pause/", going_live.pause_backfill, name="pause_backfill"),
    path("sync/<int:pk>/backfill/resume/", going_live.resume_backfill, name="resume_backfill"),
]
