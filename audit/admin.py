"""The audit log in the admin: read-only, filtered by action, actor and date."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.text import Truncator

from audit.models import Action, Entry


class ActionFilter(admin.SimpleListFilter):
    title = "action"
    parameter_name = "action"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return list(Action.choices)

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = ("at", "action_label", "actor_name", "target_type", "target_id", "summary")
    list_filter = (ActionFilter, ("actor", admin.RelatedOnlyFieldListFilter), "at")
    search_fields = ("actor_name", "target_id")
    date_hierarchy = "at"
    list_select_related = ("actor",)
    readonly_fields = [f.name for f in Entry._meta.fields]

    @admin.display(description="action", ordering="action")
    def action_label(self, entry: Entry) -> str:
        return entry.action_label

    @admin.display(description="details")
    def summary(self, entry: Entry) -> str:
        """The details on one short line; the entry's page shows them whole."""
        return Truncator(_flat(entry.details)).chars(160)

    # Append-only: the admin only reads.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _flat(value: Any) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_flat(item)}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(_flat(item) for item in value)
    return str(value)
