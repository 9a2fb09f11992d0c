"""The public page where an Instagram account holder asks to be removed from the catalogue."""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from common.errors import ApplicationError, RateLimitedError
from common.ratelimit import client_address, rate_limited_response
from influencers.constants import HANDLE_MAX_LENGTH, REMOVAL_REASON_MAX_LENGTH
from influencers.services.removals import removal_request_create


class RemovalRequestForm(forms.Form):
    handle = forms.CharField(label=_("Your Instagram handle"), max_length=HANDLE_MAX_LENGTH)
    contact_email = forms.EmailField(
        label=_("E-mail address where we can reach you"), max_length=254
    )
    reason = forms.CharField(
        label=_("Reason (optional details help us check it is your account)"),
        max_length=REMOVAL_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


@require_http_methods(["GET", "POST"])
def influencer_removal_request(request):
    form = RemovalRequestForm(request.POST or None)
    status, limited = 200, None
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                removal_request_create(**form.cleaned_data, client=client_address(request))
            except RateLimitedError as exc:
                form.add_error(None, exc.message)
                limited = exc
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                return render(request, "influencers/removal_request_sent.html")
    response = render(request, "influencers/removal_request.html", {"form": form}, status=status)
    return rate_limited_response(response, limited)
