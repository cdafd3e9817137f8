"""The admin of the recruiter app: contracts with their sync health and actions, seats mapped to
users, and read-only views of what LinkedIn sent (notes, push events) and of the sync runs."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.timesince import timesince

from recruiter import admin_users, connection, queue, seatmap  # noqa: F401 (admin_users registers User)
from recruiter.models import (
    Backfill,
    ConnectionCheck,
    Contract,
    NoteRestore,
    Prospect,
    ProspectNote,
    PushEvent,
    Seat,
    SeatUser,
    SyncRun,
)
from recruiter.push_health import push_health
from recruiter.push_urls import push_url
from recruiter.restore import restore_note

# The admin index links to django-rq's queues (templates/recruiter/admin_index.html).
admin.site.index_template = "recruiter/admin_index.html"


def _short(text: str, length: int = 80) -> str:
    return Truncator(text).chars(length)


class NoSecretsMixin:
    """Lists that join the contract leave its client secret undecrypted: they never show it."""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).defer("contract__client_secret")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written by the sync or the push endpoint: to look at, never to edit by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


# Contracts -----------------------------------------------------------------------------------


class ContractForm(forms.ModelForm):
    # The stored secret is never sent back to the browser: the field is always empty, and
    # leaving it empty keeps the current secret.
    client_secret = forms.CharField(
        label="LinkedIn client secret",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Leave empty to keep the current secret.",
    )
    clear_client_secret = forms.BooleanField(
        label="Remove the client secret",
        required=False,
        help_text="Fall back to the site's LINKEDIN_CLIENT_SECRET.",
    )

    class Meta:
        model = Contract
        fields = (
            "urn",
            "name",
            "active",
            "client_id",
            "client_secret",
            "backfill_start",
            "window_hours",
            "overlap_minutes",
            "rescan_days",
        )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._stored_secret = self.instance.client_secret if self.instance.pk else ""
        self.initial.pop("client_secret", None)
        self.fields["backfill_start"].help_text = (
            "Where the first backfill starts. LinkedIn asks partners to sync all of a "
            "customer's history at onboarding: two years back by default."
        )
        if self.instance.pk:
            state = "A secret is stored." if self._stored_secret else "No secret is stored."
            self.fields["client_secret"].help_text = f"{state} Leave empty to keep it."
        else:
            self._describe_new_contract()

    def _describe_new_contract(self) -> None:
        """The add page's defaults and words: what LinkedIn gives, what it asks for."""
        fields = self.fields
        fields["urn"].widget.attrs["placeholder"] = "urn:li:contract:123456"
        fields["urn"].help_text = (
            "The Recruiter contract LinkedIn enabled for Recruiter System Connect: "
            "urn:li:contract: followed by its number."
        )
        fields["name"].help_text = "How the dashboard names it, e.g. the customer's company."
        fields["client_id"].help_text = (
            "RSC issues one child application per customer: its client id. Empty: the "
            "site's LINKEDIN_CLIENT_ID."
        )
        fields[
            "client_secret"
        ].help_text = "The child application's client secret; stored encrypted, never shown again."
        self.initial.setdefault("backfill_start", default_backfill_start())

    def clean_urn(self) -> str:
        urn = self.cleaned_data["urn"].strip()
        if not CONTRACT_URN.fullmatch(urn):
            raise forms.ValidationError(
                "A contract URN looks like urn:li:contract:123456 (digits after the last colon)."
            )
        return urn

    def clean_client_secret(self) -> str:
        return self.cleaned_data.get("client_secret") or self._stored_secret

    def clean(self):
        data = super().clean()
        if data.get("clear_client_secret"):
            data["client_secret"] = ""
        return data


CONTRACT_URN = re.compile(r"urn:li:contract:[0-9]+")
BACKFILL_YEARS = 2


def default_backfill_start() -> dt.datetime:
    """Midnight (site time), two years back: LinkedIn's onboarding asks for all history."""
    day = timezone.localdate() - dt.timedelta(days=365 * BACKFILL_YEARS)
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


TEST_CONNECTION = "_test_connection"


def _connection_check(contract: Contract) -> ConnectionCheck | None:
    try:
        return contract.connection_check
    except ConnectionCheck.DoesNotExist:
        return None


def enqueue_rescan(contract: Contract, since: dt.datetime) -> bool:
    """Queue a re-scan of `contract` from `since` to now; False if a re-scan is already waiting.

    The same job as every sync, under the contract's rescan job id: the sync page shows it as
    queued, its follow-ups run, and the contract's lock keeps it from overlapping another run.
    """
    return queue.enqueue_sync(contract.pk, SyncRun.Kind.RESCAN, since=since).added


class RescanForm(forms.Form):
    since = forms.DateField(
        label="Re-scan notes modified since",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The sync reads LinkedIn again from this day (site time zone) to now.",
    )

    def clean_since(self) -> dt.date:
        since = self.cleaned_data["since"]
        if since > timezone.localdate():
            raise forms.ValidationError("That day has not come yet.")
        return since

    def since_datetime(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.cleaned_data["since"], dt.time.min))


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    form = ContractForm
    # Adds the "Save and test connection" button (recruiter.connection).
    change_form_template = "admin/recruiter/contract/change_form.html"
    list_display = (
        "__str__",
        "urn",
        "active",
        "connection_short",
        "last_run_status",
        "last_success_at",
        "lag_display",
        "last_error_short",
        "last_error_at",
    )
    list_filter = ("active",)
    search_fields = ("name", "urn")
    readonly_fields = (
        "connection_display",
        "push_health_display",
        "watermark",
        "lag_display",
        "last_rescan_at",
        "last_success_at",
        "last_error",
        "last_error_at",
        "push_last_validated_at",
        "push_last_event_at",
        "integration_status",
        "integration_status_at",
    )
    # The add page asks only what going live needs; the change page shows everything.
    add_fieldsets = (
        (None, {"fields": ("urn", "name")}),
        (
            "Child application",
            {
                "fields": ("client_id", "client_secret"),
                "description": "The credentials LinkedIn issued for this customer under "
                "Recruiter System Connect. Save, then test them.",
            },
        ),
        ("First sync", {"fields": ("backfill_start", "active")}),
        (
            "Advanced",
            {
                "fields": ("window_hours", "overlap_minutes", "rescan_days"),
                "classes": ("collapse",),
            },
        ),
    )
    fieldsets = (
        (None, {"fields": ("urn", "name", "active", "ended_at")}),
        ("Connection", {"fields": ("connection_display", "push_health_display")}),
        (
            "Credentials",
            {
                "fields": ("client_id", "client_secret", "clear_client_secret"),
                "description": "Empty: the site's LINKEDIN_CLIENT_ID / LINKEDIN_CLIENT_SECRET.",
            },
        ),
        ("Sync", {"fields": ("backfill_start", "window_hours", "overlap_minutes", "rescan_days")}),
        (
            "Health",
            {
                "fields": (
                    "watermark",
                    "lag_display",
                    "last_success_at",
                    "last_error",
                    "last_error_at",
                    "last_rescan_at",
                )
            },
        ),
        (
            "Push events",
            {
                "fields": (
                    "push_last_validated_at",
                    "push_last_event_at",
                    "integration_status",
                    "integration_status_at",
                ),
                "description": "The push URL to register is at the top of this page.",
            },
        ),
    )
    actions = ("sync_now", "rescan_from_date", "refresh_seats")

    def render_change_form(
        self, request: HttpRequest, context, add=False, change=False, form_url="", obj=None
    ):
        if obj is not None and obj.pk:
            context["push_url"] = push_url(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Contract]:
        latest = SyncRun.objects.filter(contract=OuterRef("pk")).order_by("-started_at", "-id")
        return (
            super()
            .get_queryset(request)
            .select_related("connection_check")
            .annotate(_last_status=Subquery(latest.values("status")[:1]))
        )

    def get_fieldsets(self, request: HttpRequest, obj: Contract | None = None):
        return self.add_fieldsets if obj is None else self.fieldsets

    @admin.display(description="connection")
    def connection_short(self, contract: Contract) -> str:
        check = _connection_check(contract)
        return check.get_outcome_display() if check else "not tested"

    @admin.display(description="last test")
    def connection_display(self, contract: Contract) -> str:
        check = _connection_check(contract)
        if check is None:
            return "Not tested yet: use “Save and test connection” below."
        when = date_format(timezone.localtime(check.checked_at), "DATETIME_FORMAT")
        label = check.get_outcome_display()
        said = check.message if check.works else f"{label[:1].upper()}{label[1:]}. {check.message}"
        return f"{said} (tested {when})"

    @admin.display(description="push URL")
    def push_health_display(self, contract: Contract) -> str:
        health = push_health(contract)
        if health.warning or health.notice:
            return health.warning or health.notice
        when = timezone.localtime(health.validated_at).strftime("%Y-%m-%d %H:%M")
        return f"Last validated by LinkedIn {timesince(health.validated_at)} ago ({when})."

    def response_add(self, request: HttpRequest, obj: Contract, post_url_continue=None):
        if TEST_CONNECTION in request.POST:
            return self._test_and_return(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request: HttpRequest, obj: Contract) -> HttpResponse:
        if TEST_CONNECTION in request.POST:
            return self._test_and_return(request, obj)
        return super().response_change(request, obj)

    def _test_and_return(self, request: HttpRequest, contract: Contract) -> HttpResponse:
        check = connection.check_connection(contract)
        level = messages.SUCCESS if check.works else messages.ERROR
        self.message_user(request, f"Saved. Test connection: {check.message}", level)
        return HttpResponseRedirect(reverse("admin:recruiter_contract_change", args=[contract.pk]))

    @admin.display(description="last run")
    def last_run_status(self, contract: Contract) -> str:
        return getattr(contract, "_last_status", None) or "–"

    @admin.display(description="lag")
    def lag_display(self, contract: Contract) -> str:
        return timesince(contract.watermark) if contract.watermark else "never synced"

    @admin.display(description="last error")
    def last_error_short(self, contract: Contract) -> str:
        return _short(contract.last_error)

    @admin.action(description="Sync now")
    def sync_now(self, request: HttpRequest, queryset: QuerySet[Contract]) -> None:
        contracts = list(queryset)
        try:
            queue.fan_out_syncs([c.pk for c in contracts], SyncRun.Kind.MANUAL)
        except queue.QueueUnavailable as exc:
            self.message_user(request, f"No sync queued: {exc}", messages.ERROR)
            return
        names = ", ".join(str(c) for c in contracts)
        self.message_user(request, f"Sync queued for {names}.", messages.SUCCESS)

    @admin.action(description="Refresh seats")
    def refresh_seats(self, request: HttpRequest, queryset: QuerySet[Contract]) -> None:
        for contract in queryset.defer("client_secret"):
            if not queue.enqueue_seats_refresh(contract.pk).added:
                message = f"A seat refresh of {contract} is already waiting."
                self.message_user(request, message, messages.WARNING)
            else:
                message = f"Seat holders of {contract} will be read from LinkedIn."
                self.message_user(request, message, messages.SUCCESS)

    @admin.action(description="Re-scan from date…")
    def rescan_from_date(
        self, request: HttpRequest, queryset: QuerySet[Contract]
    ) -> HttpResponse | None:
        form = RescanForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            since = form.since_datetime()
            for contract in queryset:
                try:
                    added = enqueue_rescan(contract, since)
                except queue.QueueUnavailable as exc:
                    self.message_user(request, f"No re-scan queued: {exc}", messages.ERROR)
                    return None
                if added:
                    message = f"Re-scan of {contract} from {since:%Y-%m-%d} queued."
                    self.message_user(request, message, messages.SUCCESS)
                else:
                    message = f"A re-scan of {contract} is already waiting; none added."
                    self.message_user(request, message, messages.WARNING)
            return None  # back to the change list
        context = {
            **self.admin_site.each_context(request),
            "title": "Re-scan from a date",
            "opts": self.model._meta,
            "contracts": queryset,
            "form": form,
            "action": "rescan_from_date",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "recruiter/admin_rescan.html", context)


# Seats and prospects -------------------------------------------------------------------------


class SeatUserInline(admin.TabularInline):
    """The site users of a seat. Adding one is a manual mapping; deleting one (automatic or
    not) is a manual removal the automatic rule respects (recruiter.seatmap)."""

    model = SeatUser
    extra = 0
    fields = ("user", "source", "created_at")
    readonly_fields = ("source", "created_at")
    autocomplete_fields = ("user",)
    verbose_name = "site user"
    verbose_name_plural = "site users (adding one maps by hand, deleting one keeps them off)"

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # a mapping is added or deleted, never pointed at another user


@admin.register(Seat)
class SeatAdmin(NoSecretsMixin, admin.ModelAdmin):
    list_display = (
        "__str__",
        "urn",
        "contract",
        "state",
        "listed",
        "note_count",
        "last_activity",
        "user_count",
    )
    list_filter = ("contract", "listed", "state")
    search_fields = ("name", "holder_name", "urn", "member", "users__username", "users__email")
    list_select_related = ("contract",)
    autocomplete_fields = ("contract",)
    inlines = (SeatUserInline,)
    # LinkedIn's (seatsV2) and the triggers' fields: to look at, not to edit.
    readonly_fields = (
        "holder_name",
        "member",
        "state",
        "roles",
        "listed",
        "listed_at",
        "note_count",
        "last_activity",
    )
    fields = ("contract", "urn", "name", *readonly_fields)
    actions = ("refresh_seats",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Seat]:
        return super().get_queryset(request).annotate(_users=Count("users", distinct=True))

    @admin.display(description="users", ordering="_users")
    def user_count(self, seat: Seat) -> str:
        return str(seat._users) if seat._users else "unmapped"

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if formset.model is not SeatUser:
            super().save_formset(request, form, formset, change)
            return
        # Through recruiter.seatmap, so that a manual change is an override that sticks and
        # every change is announced (seat_mapping_changed).
        seat = form.instance
        # What the admin's change message reads (construct_change_message).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            if not hasattr(inline_form, "cleaned_data") or not inline_form.cleaned_data:
                continue
            user = inline_form.cleaned_data.get("user")
            if inline_form.cleaned_data.get("DELETE") and inline_form.instance.pk:
                seatmap.unmap_user(seat, inline_form.instance.user, by=request.user)
                formset.deleted_objects.append(inline_form.instance)
            elif user is not None and not inline_form.instance.pk:
                seatmap.map_user(seat, user, by=request.user)
                formset.new_objects.append(SeatUser(seat=seat, user=user))

    @admin.action(description="Refresh seats (their contracts' seat holders)")
    def refresh_seats(self, request: HttpRequest, queryset: QuerySet[Seat]) -> None:
        contracts = set(queryset.values_list("contract_id", flat=True))
        queued = [c for c in contracts if queue.enqueue_seats_refresh(c).added]
        self.message_user(
            request, f"Seat holders of {len(queued)} contract(s) will be read.", messages.SUCCESS
        )


class ImportNamesForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="member,name[,url], UTF-8.")
    dry_run = forms.BooleanField(
        label="Dry run",
        required=False,
        initial=True,
        help_text="Show what the file would change and change nothing. Untick to import.",
    )


PREVIEW_ROWS = 100


@admin.register(Prospect)
class ProspectAdmin(admin.ModelAdmin):
    list_display = ("__str__", "urn", "url")
    search_fields = ("name", "urn")
    fields = ("urn", "name", "url")
    change_list_template = "recruiter/admin_prospect_changelist.html"
    actions = ["erase_member"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "url":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> tuple[str, ...]:
        return ("urn",) if obj is not None else ()  # LinkedIn's key

    def get_urls(self):
        from django.urls import path

        view = self.admin_site.admin_view(self.import_names_view)
        return [
            path("import-names/", view, name="recruiter_prospect_import_names"),
            *super().get_urls(),
        ]

    def import_names_view(self, request: HttpRequest) -> HttpResponse:
        from django.core.exceptions import PermissionDenied

        from recruiter.prospect_names import MAX_BYTES, NameImport, import_names

        if not self.has_change_permission(request):
            raise PermissionDenied
        form = ImportNamesForm(request.POST or None, request.FILES or None)
        result: NameImport | None = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            # One byte past the limit is enough to refuse the file without reading it all.
            result = import_names(upload.read(MAX_BYTES + 1), dry_run=form.cleaned_data["dry_run"])
            if result.imported:
                self.message_user(request, f"Names imported: {result}.", messages.SUCCESS)
        changes = [r for r in result.rows if r.status != "unchanged"] if result else []
        context = {
            **self.admin_site.each_context(request),
            "title": "Import prospects' names",
            "opts": self.model._meta,
            "form": form,
            "result": result,
            "counts": result.counts if result else {},
            "preview": changes[:PREVIEW_ROWS],
        }
        return TemplateResponse(request, "recruiter/admin_import_names.html", context)

    @admin.action(description="Erase this member (shows what will go first)")
    def erase_member(self, request: HttpRequest, prospects: QuerySet[Prospect]):
        if prospects.count() != 1:
            self.message_user(request, "Erase one member at a time.", messages.WARNING)
            return None
        query = urlencode({"person_urn": prospects.get().urn})
        return HttpResponseRedirect(f"{reverse('erase_member')}?{query}")


# What LinkedIn sent, and what the sync did ---------------------------------------------------


@admin.register(ProspectNote)
class ProspectNoteAdmin(NoSecretsMixin, ReadOnlyAdmin):
    list_display = (
        "linkedin_id",
        "contract",
        "owner",
        "prospect",
        "text_short",
        "created",
        "last_modified",
        "active",
        "deleted_by",
    )
    list_filter = ("active", "deleted_by", "contract")
    search_fields = ("=linkedin_id", "prospect__urn", "prospect__name", "owner__urn", "text")
    list_select_related = ("contract", "owner", "prospect")
    raw_id_fields = ("owner", "prospect")
    # Counting a million notes for "N results" on every page costs more than it tells.
    show_full_result_count = False
    readonly_fields = (
        # LinkedIn's fields...
        "contract",
        "linkedin_id",
        "owner",
        "prospect",
        "text",
        "created",
        "last_modified",
        "active",
        # ...and the sync's bookkeeping.
        "deleted_at",
        "deleted_by",
        "first_synced_at",
        "last_synced_at",
    )

    actions = ("restore_deleted",)

    @admin.display(description="text")
    def text_short(self, note: ProspectNote) -> str:
        return _short(note.text)

    def has_restore_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("recruiter.restore_prospectnote")

    @admin.action(description="Restore the selected deleted notes", permissions=["restore"])
    def restore_deleted(self, request: HttpRequest, queryset: QuerySet[ProspectNote]) -> None:
        restored = [n for n in queryset if restore_note(n, request.user) is not None]
        skipped = queryset.count() - len(restored)
        if restored:
            ids = ", ".join(str(n.linkedin_id) for n in restored[:20])
            self.message_user(
                request,
                f"Restored {len(restored)} note(s): {ids}. Each is read again from LinkedIn at "
                "the next sync or re-scan whose window holds it.",
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(request, f"{skipped} selected note(s) were not deleted.")


@admin.register(NoteRestore)
class NoteRestoreAdmin(ReadOnlyAdmin):
    list_display = ("restored_at", "note", "restored_by", "deleted_by", "deleted_at")
    list_filter = ("deleted_by",)
    search_fields = ("=note__linkedin_id", "restored_by__username")
    list_select_related = ("note", "restored_by")
    raw_id_fields = ("note",)


@admin.register(SyncRun)
class SyncRunAdmin(NoSecretsMixin, ReadOnlyAdmin):
    list_display = (
        "started_at",
        "contract",
        "kind",
        "status",
        "progress_display",
        "window_start",
        "window_end",
        "notes_created",
        "notes_updated",
        "notes_deactivated",
        "api_calls",
        "retries",
        "error_short",
    )
    list_filter = ("status", "kind", "contract")
    search_fields = ("error", "contract__name", "contract__urn")
    list_select_related = ("contract",)
    date_hierarchy = "started_at"

    @admin.display(description="progress", ordering="progress")
    def progress_display(self, run: SyncRun) -> str:
        return f"{run.progress:.0f}%"

    @admin.display(description="error")
    def error_short(self, run: SyncRun) -> str:
        return _short(run.error)


@admin.register(PushEvent)
class PushEventAdmin(NoSecretsMixin, ReadOnlyAdmin):
    list_display = (
        "received_at",
        "event_type",
        "contract",
        "prospect_note_id",
        "signature_valid",
        "deliveries",
        "processed_at",
        "outcome",
    )
    list_filter = ("event_type", "signature_valid", "contract")
    search_fields = ("=prospect_note_id", "body_sha256", "outcome")
    list_select_related = ("contract",)
    readonly_fields = tuple(f.name for f in PushEvent._meta.fields if f.name != "id")


@admin.register(Backfill)
class BackfillAdmin(NoSecretsMixin, ReadOnlyAdmin):
    """First backfills, as the Sync page shows them; started, paused and resumed there."""

    list_display = (
        "contract",
        "status",
        "percent_display",
        "notes",
        "cursor",
        "slices",
        "started_at",
        "finished_at",
        "error_short",
    )
    list_filter = ("status",)
    list_select_related = ("contract",)

    @admin.display(description="progress")
    def percent_display(self, backfill: Backfill) -> str:
        return f"{100 * backfill.fraction:.0f}%"

    @admin.display(description="error")
    def error_short(self, backfill: Backfill) -> str:
        return _short(backfill.error)
