from __future__ import annotations

from django.contrib import admin

from accounts.models import LinkedInIdentity, MemberName


@admin.register(LinkedInIdentity)
class LinkedInIdentityAdmin(admin.ModelAdmin):
    list_display = ["user", "person_urn", "name", "email", "email_verified", "last_seen_at"]
    list_select_related = ["user"]
    search_fields = ["person_urn", "name", "email", "user__username"]
    raw_id_fields = ["user"]
    readonly_fields = ["linked_at", "last_seen_at"]


@admin.register(MemberName)
class MemberNameAdmin(admin.ModelAdmin):
    list_display = ["person_urn", "name", "source", "updated_at"]
    list_filter = ["source"]
    search_fields = ["person_urn", "name"]
