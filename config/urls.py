from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.erasure_views import erase_member_view
from config import monitoring, rq_dashboard, views
from recruiter import webhooks
from recruiter.views.retention import retention_status

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", monitoring.healthz, name="healthz"),
    path("healthz/sync", monitoring.healthz_sync, name="healthz_sync"),
    path("metrics", monitoring.metrics_view, name="metrics"),
    path("webhooks/linkedin/", webhooks.linkedin_webhook, name="linkedin_webhook"),
    path("webhooks/linkedin/<str:token>/", webhooks.contract_webhook, name="contract_webhook"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("accounts.urls")),
    path("admin/erase-member/", erase_member_view, name="erase_member"),
    path("admin/retention/", retention_status, name="retention_status"),
    path("admin/rq/", include(rq_dashboard.rq_urlpatterns())),
    path("admin/", admin.site.urls),
    path("", include("recruiter.urls")),
    path("recommendations/", include("recommendations.urls")),
]
