"""Admin for LinkedIn accounts and stored requests. Tokens never reach a form or a page."""

from __future__ import annotations

from django.contrib import admin

from recommendations.models import LinkedInAccount, RecommendationRequest

_TOKENS = ("access_token", "refresh_token")


@admin.register(LinkedInAccount)
class LinkedInAccountAdmin(admin.ModelAdmin):
    list_display = (
        "person_urn",
        "name",
        "user",
        "needs_reconnect",
        "expires_at",
        "last_synced_at",
        "last_error",
    )
    list_filter = ("needs_reconnect",)
    search_fields = ("person_urn", "name", "user__username", "user__email")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    # The tokens are excluded outright: not even a read-only widget renders them.
    exclude = _TOKENS
    readonly_fields = (
        "person_urn",
        "name",
        "expires_at",
        "refresh_expires_at",
        "scopes",
        "connected_at",
        "last_refreshed_at",
        "last_synced_at",
        "last_error",
        "last_error_at",
    )

    def has_add_permission(self, request) -> bool:
        # Accounts come only from a member's own consent on LinkedIn.
        return False


@admin.register(RecommendationRequest)
class RecommendationRequestAdmin(admin.ModelAdmin):
    list_display = (
        "urn",
        "requester",
        "requestee",
        "status",
        "relationship",
        "created",
        "last_synced_at",
        "gone_at",
    )
    list_filter = ("status", "relationship")
    search_fields = ("urn", "requester", "requestee", "notification_subject")
    date_hierarchy = "created"
    raw_id_fields = ("created_by",)
    # LinkedIn owns every field: we only ever store what it answered.
    readonly_fields = tuple(
        f.name
        for f in RecommendationRequest._meta.get_fields()
        if f.concrete and not f.auto_created
    )

    def has_add_permission(self, request) -> bool:
        return False
