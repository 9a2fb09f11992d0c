import json

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.errors import ApplicationError
from common.formats import confidence_percent
from common.media import private_media_read_by_staff
from common.styles import style_label
from recommender.models import ModelVersion, ReclassificationRun, RecommendationRequest
from recommender.selectors.reclassification import reclassification_latest
from recommender.services.registry import (
    model_version_activate,
    model_version_delete,
    model_version_delete_check,
)


def _progress_bar(run: ReclassificationRun | None):
    if run is None:
        return "—"
    if not run.total:  # "0 / 0 (100.0%)" would claim work that never existed
        return format_html("{} {}", _("no posts to re-classify"), run.get_status_display())
    return format_html(
        '<progress max="{}" value="{}"></progress> {} / {} ({}%) {}',
        run.total or 1,
        run.done,
        run.done,
        run.total,
        run.percent,
        run.get_status_display(),
    )


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "kind",
        "accuracy",
        "is_active",
        "progress",
        "created_at",
        "activated_at",
    )
    readonly_fields = (
        "checkpoint",
        "checkpoint_sha256",
        "is_active",
        "is_demo",
        "class_names",
        "metrics_shown",
        "trained_on",
        "data_fingerprint",
        "recipe",
        "created_at",
        "activated_at",
        "progress",
    )
    fields = ("name", *readonly_fields)
    actions = ["activate"]

    def has_add_permission(self, request):
        return False  # checkpoints come in through `manage.py register_style_model`

    def get_actions(self, request):
        # One at a time through delete_view, which refuses the active version with a message.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        version = self.get_object(request, unquote(object_id))
        if version is not None:
            try:
                model_version_delete_check(model_version=version)
            except ApplicationError as exc:
                self.message_user(request, exc.message, level=messages.ERROR)
                return redirect(reverse("admin:recommender_modelversion_change", args=[version.pk]))
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        model_version_delete(model_version=obj)

    @admin.display(description=_("classes"))
    def class_names(self, obj):
        return ", ".join(style_label(code) or code for code in obj.classes)

    @admin.display(description=_("kind"))
    def kind(self, obj):
        return _("demo") if obj.is_demo else _("real")

    @admin.display(description=_("validation top-1"))
    def accuracy(self, obj):
        # A demo model's figure is measured on generated pictures: it says nothing about photos.
        if obj.is_demo:
            return _("not meaningful (demo model)")
        value = obj.validation_accuracy
        return f"{value:.1%}" if value is not None else "—"

    @admin.display(description=_("metrics"))
    def metrics_shown(self, obj):
        """The stored metrics; a demo model's validation figures are left out (see accuracy)."""
        metrics = obj.metrics or {}
        if obj.is_demo:
            metrics = {k: v for k, v in metrics.items() if not k.startswith("val_")}
        return json.dumps(metrics, ensure_ascii=False, indent=1, sort_keys=True) if metrics else "—"

    @admin.display(description=_("re-classification"))
    def progress(self, obj):
        return _progress_bar(reclassification_latest(model_version_id=obj.pk))

    @admin.action(description=_("Use this model (re-classifies every post)"))
    def activate(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one model version."), level="error")
            return
        version = model_version_activate(model_version_id=queryset.get().pk)
        self.message_user(request, _("%s is active; posts are being re-classified.") % version)


@admin.register(ReclassificationRun)
class ReclassificationRunAdmin(admin.ModelAdmin):
    """Read-only: runs start when a model is activated or with `manage.py reclassify`."""

    list_display = ("pk", "model_version", "status", "progress", "started_at", "heartbeat_at")
    list_filter = ("status",)
    list_select_related = ("model_version",)
    readonly_fields = (
        "model_version",
        "status",
        "progress",
        "total",
        "done",
        "classified",
        "unclassifiable",
        "max_post_id",
        "last_post_id",
        "created_at",
        "started_at",
        "heartbeat_at",
        "finished_at",
    )
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("progress"))
    def progress(self, obj):
        return _progress_bar(obj)


@admin.register(RecommendationRequest)
class RecommendationRequestAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "user",
        "mode",
        "ranking",
        "status",
        "predicted_style_name",
        "confidence_shown",
        "created_at",
    )
    list_filter = ("status", "mode", "ranking")
    search_fields = ("user__username",)
    list_select_related = ("user",)
    readonly_fields = [
        ("confidence_shown" if f.name == "confidence" else f.name)
        for f in RecommendationRequest._meta.fields
        if f.name not in ("query_probabilities", "predicted_style")
    ] + ["predicted_style_name"]
    exclude = ("query_probabilities", "predicted_style", "confidence")

    def has_add_permission(self, request):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The page shows the user's photo (a signed URL on S3): each opening is recorded."""
        response = super().change_view(request, object_id, form_url, extra_context)
        item = self.get_object(request, unquote(object_id))
        if response.status_code == 200 and item and item.image and item.user_id != request.user.pk:
            private_media_read_by_staff.send(
                sender="admin", user=request.user, names=[item.image.name]
            )
        return response

    @admin.display(description=_("confidence"), ordering="confidence")
    def confidence_shown(self, item):
        return confidence_percent(item.confidence)

    @admin.display(description=_("predicted style"), ordering="predicted_style")
    def predicted_style_name(self, item):
        return style_label(item.predicted_style) or "—"
