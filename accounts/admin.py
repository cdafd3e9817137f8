from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.erasure import erase_user
from accounts.erasure_views import ERASE_PERMISSION
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


# An action of the user admin (recruiter/admin_users.py registers it).
@admin.action(description="Erase selected users (tokens, seat mappings, recommendation copies)")
def erase_users(
    admin_: admin.ModelAdmin, request: HttpRequest, users: QuerySet
) -> HttpResponse | None:
    if not request.user.has_perm(ERASE_PERMISSION):
        messages.error(request, "You may not erase users.")
        return None
    users = users.exclude(pk=request.user.pk)  # not oneself: the session would go with it
    if request.POST.get("confirm") != "yes":
        context = {
            **admin_.admin_site.each_context(request),
            "title": "Erase these users?",
            "users": users,
            "action": "erase_users",
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        }
        return render(request, "admin/accounts/erase_users.html", context)
    names = [user.get_username() for user in users]
    for user in list(users):
        erase_user(user, actor=request.user, via="admin")
    messages.success(request, f"Erased {len(names)} user(s): {', '.join(names)}.")
    return None
