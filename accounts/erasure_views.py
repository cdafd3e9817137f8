"""The admin's erasure pages: erase a member (confirmation with counts) and erase site users."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.erasure import check_member_urn, erase_member, plan_member_erasure

ERASE_PERMISSION = "accounts.erase_member"


class MemberForm(forms.Form):
    person_urn = forms.CharField(
        label="Person URN", max_length=200, help_text="The member's URN, e.g. urn:li:person:AbC123"
    )

    def clean_person_urn(self) -> str:
        try:
            return check_member_urn(self.cleaned_data["person_urn"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


@staff_member_required
@permission_required(ERASE_PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def erase_member_view(request: HttpRequest) -> HttpResponse:
    """GET without a URN: the form. GET with one: what will go, counted, and the confirm
    button. POST: erase, then back here with a message."""
    data = request.POST if request.method == "POST" else request.GET
    form = MemberForm(data if "person_urn" in data else None)
    context = {
        **admin.site.each_context(request),
        "title": "Erase a member",
        "form": form,
        "plan": None,
    }
    if not form.is_bound:
        return render(request, "admin/accounts/erase_member.html", context)
    if not form.is_valid():
        return render(request, "admin/accounts/erase_member.html", context, status=400)
    urn = form.cleaned_data["person_urn"]
    if request.method == "POST":
        done = erase_member(urn, actor=request.user, via="admin")
        messages.success(request, f"Erased {urn}: {done.total} records removed or pseudonymised.")
        return redirect(reverse("erase_member"))
    context["plan"] = plan_member_erasure(urn)
    return render(request, "admin/accounts/erase_member.html", context)
