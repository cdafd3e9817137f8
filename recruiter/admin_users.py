"""The user admin, with the recruiter roles in view: who is a recruiting admin (a column, a
filter, and actions that grant or take back the role) and which seats each user holds."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.admin import erase_users
from recruiter.permissions import RECRUITING_ADMINS

User = get_user_model()


class RecruiterUserAdmin(UserAdmin):
    list_display = [*UserAdmin.list_display, "recruiting_admin"]
    actions = ["grant_recruiting_admin", "revoke_recruiting_admin", erase_users]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(boolean=True, description="Recruiting admin")
    def recruiting_admin(self, user) -> bool:
        return any(group.name == RECRUITING_ADMINS for group in user.groups.all())

    @admin.action(description="Make the selected users recruiting admins")
    def grant_recruiting_admin(self, request: HttpRequest, users: QuerySet) -> None:
        group, _ = Group.objects.get_or_create(name=RECRUITING_ADMINS)
        group.user_set.add(*users)
        self.message_user(request, f"{len(users)} user(s) are now recruiting admins.")

    @admin.action(description="Take the recruiting admin role from the selected users")
    def revoke_recruiting_admin(self, request: HttpRequest, users: QuerySet) -> None:
        group = Group.objects.filter(name=RECRUITING_ADMINS).first()
        if group is not None:
            group.user_set.remove(*users)
        self.message_user(
            request, f"{len(users)} user(s) are no longer recruiting admins.", messages.SUCCESS
        )


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, RecruiterUserAdmin)
