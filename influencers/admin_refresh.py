"""Admin of the live refresh: the Graph API token, refresh runs, and the notices staff see."""

import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.defaultfilters import date as date_filter
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.errors import ApplicationError
from influencers.constants import INSTAGRAM_HANDLE_MAX_LENGTH, TRACK_HANDLES_MAX
from influencers.graph.errors import TokenInvalid, refresh_error_text
from influencers.models import GraphCredential, RefreshRun
from influencers.services.graph_token import (
    CREDENTIAL_PK,
    TOKEN_MAX_LENGTH,
    graph_token_current_check,
    graph_token_save,
    graph_token_status,
)


def _when(instant) -> str:
    return date_filter(timezone.localtime(instant), "Y-m-d H:i")


def graph_token_state_text(status: dict) -> str:
    """Where the token in use comes from, and its last characters."""
    if status["source"] == "admin":
        return gettext("set, ends %(hint)s") % {"hint": status["hint"]}
    if status["source"] == "environment":
        return gettext("from the environment, ends %(hint)s") % {"hint": status["hint"]}
    return gettext("not set")


def graph_token_expiry_html(status: dict) -> str:
    """The expiry debug_token gave for the token in use, marked when it is near or past."""
    if status["never_expires"]:
        return gettext("never")
    if not status["expires_at"]:
        return gettext("unknown")
    text = _when(status["expires_at"])
    if status["expired"]:
        return format_html("{} — <strong>{}</strong>", text, gettext("expired"))
    if status["expires_soon"]:
        return format_html("{} — <strong>{}</strong>", text, gettext("expires soon"))
    return text


def graph_token_notices(request) -> None:
    """Warn staff, on the pages where refreshes show, of what stops or will stop them."""
    status = graph_token_status()
    if not status["source"] or status["account_id_missing"]:
        messages.warning(
            request,
            gettext(
                "Live refresh is off: no Instagram token or business account id is configured."
            ),
        )
    elif status["unreadable"]:
        messages.error(
            request,
            gettext(
                "The saved Instagram token cannot be read with the current encryption key "
                "(FIELD_ENCRYPTION_KEY changed): save it again."
            ),
        )
    elif status["refused"]:
        messages.error(
            request,
            gettext(
                "Instagram refused the token (%(hint)s): every refresh is stopped until a new "
                "token is saved. %(reason)s"
            )
            % {"hint": status["hint"], "reason": status["refused_reason"]},
        )
    elif status["expired"]:
        messages.error(
            request,
            gettext("The Instagram token expired on %(date)s: save a new one.")
            % {"date": _when(status["expires_at"])},
        )
    elif status["expires_soon"]:
        messages.warning(
            request,
            gettext("The Instagram token expires on %(date)s: save a new one before then.")
            % {"date": _when(status["expires_at"])},
        )
    if status["rate_limited_until"]:
        messages.info(
            request,
            gettext("Instagram's rate limit was reached: refreshes resume at %(time)s.")
            % {"time": date_filter(timezone.localtime(status["rate_limited_until"]), "H:i")},
        )


class TrackHandlesForm(forms.Form):
    handles = forms.CharField(
        label=_("Instagram handles"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=TRACK_HANDLES_MAX * (INSTAGRAM_HANDLE_MAX_LENGTH + 2),
        help_text=_(
            "One or more handles, separated by spaces, commas or line breaks. New ones are added "
            "with gender and body size blank, for you to curate."
        ),
    )

    def clean_handles(self):
        return [h for h in re.split(r"[\s,]+", self.cleaned_data["handles"]) if h]


class GraphTokenForm(forms.ModelForm):
    token = forms.CharField(
        label=_("Access token"),
        max_length=TOKEN_MAX_LENGTH,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "A long-lived token of the Facebook user who manages the business account's Page. "
            "It is stored encrypted and never shown again; its expiry is checked with Instagram."
        ),
    )

    class Meta:
        model = GraphCredential
        fields = []

    def clean_token(self):
        try:
            self.saved = graph_token_save(token=self.cleaned_data["token"])
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None
        return ""


def _token_checked_text(status: dict) -> str:
    if status["never_expires"]:
        return gettext("Instagram checked the token: it never expires.")
    if status["expires_at"]:
        return gettext("Instagram checked the token: it expires on %(date)s.") % {
            "date": _when(status["expires_at"])
        }
    return gettext("Instagram checked the token; it gave no expiry date.")


@admin.register(GraphCredential)
class GraphCredentialAdmin(admin.ModelAdmin):
    form = GraphTokenForm
    list_display = ("__str__", "token_state", "expiry", "checked")
    readonly_fields = ("token_state", "expiry", "checked", "refused_reason", "refused_at")

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not GraphCredential.objects.exists()

    def save_model(self, request, obj, form, change):
        obj.pk = form.saved.pk  # stored by the form's check, encrypted: nothing left to write

    def get_urls(self):
        return [
            path(
                "check/",
                self.admin_site.admin_view(self.check_view),
                name="influencers_graphcredential_check",
            ),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        graph_token_notices(request)
        status = graph_token_status()
        context = {
            **(extra_context or {}),
            "can_check_token": bool(status["source"]) and self.has_change_permission(request),
            # Before the first save or check there is no row to list: the token in use still is.
            "token_state": graph_token_state_text(status),
            "token_expiry": graph_token_expiry_html(status),
        }
        return super().changelist_view(request, context)

    def check_view(self, request):
        """Staff's "check the token now": debug_token about the token in use, whichever its
        source; what it said shows on the list (expiry, warnings) and in one message."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request):
            raise PermissionDenied
        try:
            check = graph_token_current_check()
        except (TokenInvalid, ApplicationError):
            pass  # refused, missing or unreadable: the list's notice says which, once
        else:
            if check.checked:
                self.message_user(request, _token_checked_text(graph_token_status()))
            else:
                self.message_user(
                    request,
                    gettext(
                        "Instagram could not be reached, so the token's expiry is unknown: "
                        "%(reason)s"
                    )
                    % {"reason": refresh_error_text(check.error_code, check.detail)},
                    messages.WARNING,
                )
        return redirect("admin:influencers_graphcredential_changelist")

    @admin.display(description=_("token"))
    def token_state(self, credential):
        if credential.pk != CREDENTIAL_PK:
            return "—"
        return graph_token_state_text(graph_token_status())

    @admin.display(description=_("token expires at"))
    def expiry(self, credential):
        return graph_token_expiry_html(graph_token_status())

    @admin.display(description=_("token checked at"))
    def checked(self, credential):
        checked_at = graph_token_status()["checked_at"]
        return _when(checked_at) if checked_at else gettext("not yet")


@admin.register(RefreshRun)
class RefreshRunAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "status",
        "trigger",
        "progress",
        "refreshed",
        "failed",
        "posts_created",
        "calls",
        "error_text",
        "created_at",
        "resume_at",
    )
    list_filter = ("status", "trigger")
    readonly_fields = [
        f.name for f in RefreshRun._meta.fields if f.name not in ("errors", "influencer_ids")
    ] + ["error_text", "errors_table"]

    def has_add_permission(self, request):
        return False

    def changelist_view(self, request, extra_context=None):
        graph_token_notices(request)
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("progress"))
    def progress(self, run):
        return f"{run.done}/{run.total}"

    @admin.display(description=_("error"))
    def error_text(self, run):
        return refresh_error_text(run.error_code, run.error_detail) if run.error_code else "—"

    @admin.display(description=_("accounts that failed"))
    def errors_table(self, run):
        if not run.errors:
            return "—"
        return format_html(
            "<table><tr><th>{}</th><th>{}</th></tr>{}</table>",
            gettext("account"),
            gettext("reason"),
            format_html_join(
                "",
                "<tr><td>@{}</td><td>{}</td></tr>",
                (
                    (
                        e.get("handle", ""),
                        refresh_error_text(e.get("code", ""), e.get("detail", "")),
                    )
                    for e in run.errors
                ),
            ),
        )
