"""Pages of data rights: policy texts, agreement to a new version, withdrawal and its status,
export. Thin: a form, one service, a template."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.privacy.consents import SESSION_KEY, consents_record, marketing_consent_set
from accounts.privacy.constants import EXPORT_FILENAME, policy_version
from accounts.privacy.export import user_data_export
from accounts.privacy.forms import PolicyConsentForm, WithdrawalForm
from accounts.privacy.withdrawal import (
    account_withdrawal_request,
    deletion_from_token,
    deletion_status_token,
)
from common.errors import ApplicationError, RateLimitedError
from common.ratelimit import rate_limited_response


def _policy_context() -> dict:
    return {
        "contact_email": settings.PRIVACY_CONTACT_EMAIL,
        "officer": settings.PRIVACY_OFFICER_NAME,
        "policy_version": policy_version(),
        "retention_days": settings.QUERY_PHOTO_RETENTION_DAYS,
        "language": "en" if get_language() == "en" else "ko",
    }


@require_GET
def privacy_policy(request):
    return render(request, "accounts/privacy/policy.html", _policy_context())


@require_GET
def terms(request):
    return render(request, "accounts/privacy/terms.html", _policy_context())


@login_required
@require_http_methods(["GET", "POST"])
def policy_consent(request):
    """Agree to the current version; until then every page of the site sends the user here."""
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    form = PolicyConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        consents_record(user=request.user, marketing=form.cleaned_data["marketing_agreed"])
        request.session[SESSION_KEY] = policy_version()
        messages.success(request, _("Thank you; your agreement was recorded."))
        return redirect(target)
    return render(
        request,
        "accounts/privacy/consent.html",
        {**_policy_context(), "form": form, "next": target},
    )


@login_required
@require_http_methods(["GET", "POST"])
def withdrawal(request):
    """회원 탈퇴: password again, then the account is closed at once and deleted in the background;
    the user lands on the deletion's status page (a signed link, no log-in needed)."""
    form = WithdrawalForm(request.POST or None)
    status, limited = 200, None
    if request.method == "POST" and form.is_valid():
        try:
            deletion = account_withdrawal_request(
                user=request.user, password=form.cleaned_data["password"]
            )
        except RateLimitedError as exc:
            form.add_error(None, exc.message)
            limited = exc
        except ApplicationError as exc:
            form.add_error("password", exc.message)
            status = 400
        else:
            logout(request)
            return redirect("deletion_status", token=deletion_status_token(deletion=deletion))
    response = render(request, "accounts/privacy/withdrawal.html", {"form": form}, status=status)
    return rate_limited_response(response, limited)


@require_GET
def deletion_status(request, token: str):
    deletion = deletion_from_token(token=token)
    response = render(request, "accounts/privacy/deletion_status.html", {"deletion": deletion})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def data_export(request):
    response = FileResponse(
        user_data_export(user=request.user),
        as_attachment=True,
        filename=EXPORT_FILENAME,
        content_type="application/zip",
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def marketing_consent(request):
    """Give or withdraw the optional marketing consent (recorded like any answer)."""
    agreed = request.POST.get("marketing_agreed") == "1"
    marketing_consent_set(user=request.user, agreed=agreed)
    if agreed:
        messages.success(request, _("You will receive news and offers by e-mail."))
    else:
        messages.success(request, _("You will no longer receive marketing e-mail."))
    return redirect("accounts:profile")
