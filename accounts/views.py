from django.contrib import admin, messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.email_changes import user_email_change
from accounts.forms import (
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    ProfileForm,
    SetPasswordForm,
    SignUpForm,
)
from accounts.services import user_profile_update
from common.ratelimit import rate_limited_response


@require_http_methods(["GET", "POST"])
def sign_up(request):
    if request.user.is_authenticated:
        return redirect("home")
    # ?role=brand|consumer (the links on the home page) picks the role up front.
    form = SignUpForm(
        request.POST or None, request=request, initial={"role": request.GET.get("role", "")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = form.save()
        except ValidationError:
            pass  # the form now carries the validators' messages
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to StyleMatch!"))
            return redirect(_safe_next(request) or "home")
    response = render(request, "accounts/sign_up.html", {"form": form})
    return rate_limited_response(response, form.rate_limited)


def _safe_next(request) -> str:
    """?next= when it is a path on this site (a team invitation link sends people here)."""
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


class RateLimitedFormViewMixin:
    """A form view that answers 429 with Retry-After when its form was refused by a limit."""

    def form_invalid(self, form):
        return rate_limited_response(super().form_invalid(form), form.rate_limited)


class LoginView(RateLimitedFormViewMixin, auth_views.LoginView):
    """Log-in counted per client address (with the admin and token log-ins), so guessing is slow."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm


class PasswordChangeView(RateLimitedFormViewMixin, auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        messages.success(self.request, _("Your password was changed."))
        return super().form_valid(form)


class AdminPasswordChangeView(RateLimitedFormViewMixin, auth_views.PasswordChangeView):
    """/admin/password_change/ with the same limit and password cap as the site's own page."""

    template_name = "registration/password_change_form.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("admin:password_change_done")

    def get_context_data(self, **kwargs):
        return {**admin.site.each_context(self.request), **super().get_context_data(**kwargs)}


def admin_login(request):
    """Django admin's log-in with the site's limit: a spent limit answers 429 on the admin page."""
    response = admin.site.login(request)
    form = (getattr(response, "context_data", None) or {}).get("form")
    return rate_limited_response(response, getattr(form, "rate_limited", None))


admin_password_change = admin.site.admin_view(AdminPasswordChangeView.as_view())


class PasswordResetView(RateLimitedFormViewMixin, auth_views.PasswordResetView):
    """The form queues the mail (accounts/password_resets.py): same answer, same time, for any
    address."""

    template_name = "accounts/password_reset_form.html"
    form_class = PasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = SetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    user = request.user
    initial = {
        "email": user.email,
        "gender": user.gender,
        "body_size": user.body_size,
        "brand_name": user.brand_name,
    }
    form = ProfileForm(request.POST or None, initial=initial, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                if form.email_changed():
                    user_email_change(
                        user=user,
                        new_email=data["email"],
                        password=data["current_password"],
                        domain=get_current_site(request).domain,
                        use_https=request.is_secure(),
                    )
                user_profile_update(
                    user=user,
                    gender=data["gender"],
                    body_size=data["body_size"],
                    brand_name=data["brand_name"],
                )
        except ValidationError as exc:
            user.refresh_from_db()
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your profile was saved."))
            return redirect("accounts:profile")
    response = render(request, "accounts/profile.html", {"form": form})
    return rate_limited_response(response, form.rate_limited)
