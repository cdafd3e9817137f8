"""Forms for creating, editing and filtering recommendation requests.

URNs are checked here, before LinkedIn sees them, so a typo gets a message next to its field
instead of a 422 from LinkedIn.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from linkedin.records import RELATIONSHIPS
from recommendations.models import status_label

# Person ids are opaque: letters, digits, '-' and '_' cover LinkedIn's ids and the sandbox's.
PERSON_ID = r"[A-Za-z0-9_-]{1,64}"
PERSON_URN_RE = re.compile(rf"urn:li:person:{PERSON_ID}")
POSITION_URN_RE = re.compile(rf"urn:li:position:\((urn:li:person:{PERSON_ID}),([0-9]{{1,19}})\)")
# LinkedIn documents no shape for the previous recommendation's URN beyond being one.
ANY_URN_RE = re.compile(r"urn:li:[A-Za-z][A-Za-z0-9]{0,63}:[^\s<>\"']{1,180}")
STATUS_RE = re.compile(r"[A-Z][A-Z0-9_]{0,49}")
CREATION_KEY_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")

# LinkedIn publishes no limits; these keep a request to what its own dialog takes.
SUBJECT_MAX = 200
MESSAGE_MAX = 3000

RELATIONSHIP_CHOICES = [("", "— not given —"), *RELATIONSHIPS.items()]


def new_creation_key() -> str:
    return secrets.token_urlsafe(24)


def _person_urn(value: str) -> str:
    value = value.strip()
    if not PERSON_URN_RE.fullmatch(value):
        raise ValidationError(
            "Enter a LinkedIn member as urn:li:person:<id> (letters, digits, - and _).",
            code="invalid_urn",
        )
    return value


def _position_urn(value: str, person: str | None, whose: str) -> str:
    match = POSITION_URN_RE.fullmatch(value)
    if not match:
        raise ValidationError(
            "Enter a position as urn:li:position:(urn:li:person:<id>,<number>).",
            code="invalid_urn",
        )
    if person and match.group(1) != person:
        raise ValidationError(f"This position must belong to {whose} ({person}).", code="owner")
    return value


POSITION_HELP = (
    "A position as LinkedIn names it: urn:li:position:(<the member's person URN>,<position "
    "number>), e.g. {example}. Leave empty if you do not know it."
)


class CreateRequestForm(forms.Form):
    """Ask a colleague the site knows, or any member by person URN."""

    colleague = forms.ChoiceField(
        label="Ask a colleague",
        required=False,
        help_text="People on this site who signed in with LinkedIn.",
    )
    requestee = forms.CharField(
        label="…or any LinkedIn member (person URN)",
        max_length=100,
        required=False,
        help_text="e.g. urn:li:person:bob02, if your colleague is not in the list.",
        widget=forms.TextInput(attrs={"placeholder": "urn:li:person:…", "autocomplete": "off"}),
    )
    subject = forms.CharField(max_length=SUBJECT_MAX)
    message = forms.CharField(max_length=MESSAGE_MAX, widget=forms.Textarea(attrs={"rows": 6}))
    relationship = forms.ChoiceField(choices=RELATIONSHIP_CHOICES, required=False)
    requester_entity = forms.CharField(
        label="Your position (optional)", max_length=200, required=False
    )
    requestee_entity = forms.CharField(
        label="Their position (optional)",
        max_length=200,
        required=False,
        help_text=POSITION_HELP.format(example="urn:li:position:(urn:li:person:bob02,40855915)"),
    )
    previous_recommendation = forms.CharField(
        label="Replaces recommendation (optional)",
        max_length=255,
        required=False,
        help_text="The URN of an earlier recommendation this one replaces.",
    )
    creation_key = forms.CharField(widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, own_urn: str, colleagues: list[tuple[str, str]] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.own_urn = own_urn
        self.fields["colleague"].choices = [("", "— choose —"), *colleagues]
        if not colleagues:
            self.fields["colleague"].help_text = "Nobody else here has signed in with LinkedIn yet."
        self.fields["requester_entity"].help_text = POSITION_HELP.format(
            example=f"urn:li:position:({own_urn},40170411)"
        )

    def clean_requestee(self) -> str:
        value = self.cleaned_data["requestee"].strip()
        if not value:
            return ""
        value = _person_urn(value)
        if value == self.own_urn:
            raise ValidationError("You cannot ask yourself for a recommendation.", code="self")
        return value

    def _clean_whom(self, data: dict[str, Any]) -> None:
        """One member to ask: the colleague picked, or the URN typed (the same, if both)."""
        picked, typed = data.get("colleague") or "", data.get("requestee") or ""
        if "requestee" in self.errors:
            return
        if picked and typed and picked != typed:
            self.add_error(
                "requestee",
                ValidationError("Pick a colleague or type a URN, not both.", code="two"),
            )
        elif not (picked or typed):
            self.add_error(
                "colleague",
                ValidationError("Choose a colleague or enter a member's URN.", code="required"),
            )
        else:
            data["requestee"] = picked or typed

    def clean_subject(self) -> str:
        return self.cleaned_data["subject"].strip()

    def clean_requester_entity(self) -> str:
        value = self.cleaned_data["requester_entity"].strip()
        return _position_urn(value, self.own_urn, "you") if value else ""

    def clean_previous_recommendation(self) -> str:
        value = self.cleaned_data["previous_recommendation"].strip()
        if value and not ANY_URN_RE.fullmatch(value):
            raise ValidationError("Enter a URN, e.g. urn:li:recommendation:….", code="invalid_urn")
        return value

    def clean_creation_key(self) -> str:
        value = self.cleaned_data["creation_key"]
        if not CREATION_KEY_RE.fullmatch(value):
            raise ValidationError("The form is damaged; reload the page.", code="key")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self._clean_whom(data)
        entity = (data.get("requestee_entity") or "").strip()
        if entity:
            try:
                data["requestee_entity"] = _position_urn(
                    entity, data.get("requestee"), "the member you ask"
                )
            except ValidationError as exc:
                self.add_error("requestee_entity", exc)
        return data

    def linkedin_fields(self) -> dict[str, str | None]:
        data = self.cleaned_data
        return {
            name: data.get(name) or None
            for name in (
                "requestee",
                "subject",
                "message",
                "relationship",
                "requester_entity",
                "requestee_entity",
                "previous_recommendation",
            )
        }


class EditRequestForm(forms.Form):
    """The fields a requester may change on a pending request, pre-filled with ours.

    Only what the member changed is sent. LinkedIn never reads the notification back, so a
    request sent elsewhere has none here: its subject and message may stay empty (kept as
    they are on LinkedIn) or be given both, since LinkedIn replaces them together.
    """

    subject = forms.CharField(max_length=SUBJECT_MAX, required=False)
    message = forms.CharField(
        max_length=MESSAGE_MAX, required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    relationship = forms.ChoiceField(
        choices=[("", "— leave as is —"), *RELATIONSHIPS.items()],
        required=False,
        help_text="LinkedIn cannot unset a relationship, only change it.",
    )
    requestee_entity = forms.CharField(
        label="Their position",
        max_length=200,
        required=False,
        help_text="urn:li:position:(<their person URN>,<number>); empty leaves it as is.",
    )

    def __init__(self, *args: Any, request_obj, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "subject": request_obj.notification_subject,
                "message": request_obj.notification_message,
                "relationship": request_obj.relationship,
                "requestee_entity": request_obj.requestee_entity,
            },
        )
        super().__init__(*args, **kwargs)
        self.request_obj = request_obj
        if not request_obj.notification_subject:
            self.fields["subject"].help_text = (
                "LinkedIn does not show the subject and message of a request sent elsewhere: "
                "leave both empty to keep them, or write both to replace them."
            )

    def clean_subject(self) -> str:
        return self.cleaned_data["subject"].strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        subject, message = data.get("subject"), data.get("message")
        if subject is not None and message is not None and bool(subject) != bool(message):
            missing = "message" if subject else "subject"
            self.add_error(
                missing,
                ValidationError(
                    "LinkedIn replaces the subject and the message together: give both.",
                    code="notification",
                ),
            )
        return data

    def clean_requestee_entity(self) -> str:
        value = self.cleaned_data["requestee_entity"].strip()
        if not value:
            return ""
        return _position_urn(value, self.request_obj.requestee, "the member you asked")

    def changes(self) -> dict[str, str]:
        """update_recommendation_request's keywords for what differs from the stored copy."""
        data, current = self.cleaned_data, self.request_obj
        changes: dict[str, str] = {}
        notification = (data["subject"], data["message"])
        if all(notification) and notification != (
            current.notification_subject,
            current.notification_message,
        ):
            changes["notification_subject"] = data["subject"]
            changes["notification_message"] = data["message"]
        if data["relationship"] and data["relationship"] != current.relationship:
            changes["relationship"] = data["relationship"]
        if data["requestee_entity"] and data["requestee_entity"] != current.requestee_entity:
            changes["requestee_entity"] = data["requestee_entity"]
        return changes


class StatusFilterForm(forms.Form):
    """Which statuses (and for sent requests, which positions) a list asks LinkedIn for."""

    status = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Status"
    )
    other = forms.CharField(
        required=False,
        max_length=50,
        label="Other status",
        help_text="A status LinkedIn uses that is not listed.",
    )

    def __init__(self, *args: Any, statuses: tuple[str, ...], default: tuple[str, ...], **kw):
        super().__init__(*args, **kw)
        self.fields["status"].choices = [(s, status_label(s)) for s in statuses]
        self.default = default

    def clean_other(self) -> str:
        value = self.cleaned_data["other"].strip().upper()
        if value and not STATUS_RE.fullmatch(value):
            raise ValidationError("Letters, digits and _ only, e.g. ARCHIVED.", code="status")
        return value

    def statuses(self) -> list[str]:
        """The chosen statuses; the default when the form is not filled or not valid."""
        if not self.is_bound or not self.is_valid():
            return list(self.default)
        chosen = list(self.cleaned_data["status"])
        if self.cleaned_data["other"]:
            chosen.append(self.cleaned_data["other"])
        return list(dict.fromkeys(chosen)) or list(self.default)


class SentFilterForm(StatusFilterForm):
    entity = forms.CharField(
        required=False,
        max_length=1000,
        label="Positions",
        help_text="Position URNs separated by spaces; empty means all.",
    )

    def clean_entity(self) -> list[str]:
        values = self.cleaned_data["entity"].split()
        for value in values:
            _position_urn(value, None, "")
        return list(dict.fromkeys(values))

    def entities(self) -> list[str]:
        if not self.is_bound or not self.is_valid():
            return []
        return self.cleaned_data["entity"]
