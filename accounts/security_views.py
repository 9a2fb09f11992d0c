"""Pages of account security: one's API tokens, and undoing an e-mail change from the old address."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.email_changes import email_change_undo_read, user_email_change_undo
from accounts.tokens import api_token_revoke, api_tokens_of, api_tokens_revoke_all
from common.errors import ApplicationError


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    """List one's API tokens (never their secrets); POST revokes one (`token`) or all (`all`)."""
    if request.method == "POST":
        if "all" in request.POST:
            count = api_tokens_revoke_all(user=request.user)
            messages.success(request, _("All your API tokens were revoked (%(n)d).") % {"n": count})
        else:
            api_token_revoke(user=request.user, token_id=request.POST.get("token"))
            messages.success(request, _("The API token was revoked."))
        return redirect("accounts:api_tokens")
    return render(request, "accounts/api_tokens.html", {"tokens": api_tokens_of(user=request.user)})


@require_http_methods(["GET", "POST"])
def email_change_undo(request, token):
    """GET asks to confirm (mail scanners open links); POST undoes the change and logs out."""
    try:
        change = email_change_undo_read(token=token)
        if request.method == "POST":
            user_email_change_undo(token=token)
            logout(request)
            return render(request, "accounts/email_change_undone.html", {"email": change["old"]})
    except ApplicationError as exc:
        return render(
            request, "accounts/email_change_undo.html", {"error": exc.message}, status=400
        )
    return render(request, "accounts/email_change_undo.html", {"change": change})
