"""Admin of the live refresh: the Graph API token, refresh runs, and the notices staff see."""

import re

from django import forms
from django.contrib import admin, messages
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.errors import ApplicationError
from influencers.constants import INSTAGRAM_HANDLE_MAX_LENGTH, TRACK_HANDLES_MAX
from influencers.graph.errors import refresh_error_text
from influencers.models import GraphCredential, RefreshRun
from influencers.services.graph_token import (
    CREDENTIAL_PK,
    TOKEN_MAX_LENGTH,
    graph_token_save,
    graph_token_status,
)


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
            % {"date": date_filter(timezone.localtime(status["expires_at"]), "Y-m-d H:i")},
        )
    elif status["expires_soon"]:
        messages.warning(
            request,
            gettext("The Instagram token expires on %(date)s: save a new one before then.")
            % {"date": date_filter(timezone.localtime(status["expires_at"]), "Y-m-d H:i")},
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


@admin.register(GraphCredential)
class GraphCredentialAdmin(admin.ModelAdmin):
    form = GraphTokenForm
    list_display = ("__str__", "token_state", "expiry")
    readonly_fields = ("token_state", "expiry", "refused_reason", "refused_at", "checked_at")

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not GraphCredential.objects.exists()

    def save_model(self, request, obj, form, change):
        obj.pk = form.saved.pk  # stored by the form's check, encrypted: nothing left to write

    def changelist_view(self, request, extra_context=None):
        graph_token_notices(request)
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("token"))
    def token_state(self, credential):
        if credential.pk != CREDENTIAL_PK:
            return "—"
        status = graph_token_status()
        if status["source"] == "admin":
            return gettext("set, ends %(hint)s") % {"hint": status["hint"]}
        if status["source"] == "environment":
            return gettext("from the environment, ends %(hint)s") % {"hint": status["hint"]}
        return gettext("not set")

    @admin.display(description=_("token expires at"))
    def expiry(self, credential):
        status = graph_token_status()
        if status["never_expires"]:
            return gettext("never")
        if not status["expires_at"]:
            return gettext("unknown")
        text = date_filter(timezone.localtime(status["expires_at"]), "Y-m-d H:i")
        if status["expired"]:
            return format_html("{} — <strong>{}</strong>", text, gettext("expired"))
        if status["expires_soon"]:
            return format_html("{} — <strong>{}</strong>", text, gettext("expires soon"))
        return text


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
