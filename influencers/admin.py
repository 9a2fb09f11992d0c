from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from common.errors import ApplicationError
from common.formats import confidence_percent
from common.permissions import user_has_model_permission
from common.styles import style_label
from common.uploads import ValidatedImageField
from influencers import selectors
from influencers.admin_refresh import TrackHandlesForm, graph_token_notices
from influencers.constants import (
    HANDLE_MAX_LENGTH,
    IMPORT_PERMISSION,
    POST_IMAGES_MAX,
    TRACK_PERMISSION,
)
from influencers.graph.errors import refresh_error_text
from influencers.imports.fields import FIELD_ALIASES
from influencers.models import (
    ImageLinkState,
    ImportFormat,
    ImportJob,
    Influencer,
    Post,
    PostImage,
    PostImageLink,
    RefreshRun,
    Stopword,
)
from influencers.services import curation
from influencers.services.graph_refresh import (
    influencers_refresh_now,
    influencers_track,
    refresh_run_create,
)
from influencers.services.import_jobs import (
    import_job_start,
    import_preview_discard,
    import_preview_file,
    import_preview_keep,
)
from influencers.services.import_mappings import import_mapping_save
from influencers.services.imports import posts_preview
from influencers.services.search_index import influencer_search_names_rebuild

# Images uploaded in change forms go through the one upload validator (re-encoded, no metadata).
VALIDATED_IMAGES = {models.ImageField: {"form_class": ValidatedImageField}}


def _initial_file_name(form, field: str) -> str:
    return getattr(form.initial.get(field), "name", "") or ""


def _import_permission_check(request) -> None:
    if not user_has_model_permission(request.user, IMPORT_PERMISSION):
        raise PermissionDenied


def _thumb(image, size=56):
    # Height as an attribute, not a style: the Content-Security-Policy allows no inline style.
    if not image:
        return "—"
    return format_html('<img src="{}" alt="" height="{}" class="admin-thumb">', image.url, size)


class PostInline(admin.TabularInline):
    model = Post
    extra = 0
    fields = (
        "preview",
        "instagram_id",
        "posted_at",
        "likes",
        "effective_likes",
        "likes_imputed",
        "predicted_style",
        "style_confidence_shown",
        "classification_status",
        "unclassifiable_reason",
    )
    readonly_fields = fields

    @admin.display(description=_("style confidence"), ordering="style_confidence")
    def style_confidence_shown(self, post):
        return confidence_percent(post.style_confidence)

    show_change_link = True
    can_delete = False
    max_num = 0

    @admin.display(description=_("image"))
    def preview(self, post):
        return _thumb(post.image)


class RepresentativeStyleFilter(admin.SimpleListFilter):
    title = _("representative style")
    parameter_name = "style"

    def lookups(self, request, model_admin):
        return [(c, n) for c, n in Influencer._meta.get_field("consumer_style").choices]

    def queryset(self, request, queryset):
        value = self.value()
        return (
            queryset.filter(consumer_style=value) | queryset.filter(brand_style=value)
            if value
            else queryset
        )


class NeedsCurationFilter(admin.SimpleListFilter):
    """Influencers an import created from a posts file: gender or body size still blank, so no
    gender or size filter recommends them until staff set both."""

    title = _("curation")
    parameter_name = "curation"

    def lookups(self, request, model_admin):
        return [("needed", _("needs curation")), ("done", _("curated"))]

    def queryset(self, request, queryset):
        if self.value() == "needed":
            return queryset.needing_curation()
        if self.value() == "done":
            return queryset.curated()
        return queryset


class ImageLinkStateFilter(admin.SimpleListFilter):
    title = _("image links")
    parameter_name = "image_link"

    def lookups(self, request, model_admin):
        return ImageLinkState.choices

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(image_links__state=value).distinct() if value else queryset


class PostImageLinkInline(admin.TabularInline):
    """The links an export gave for the post's images, and how fetching them went."""

    model = PostImageLink
    extra = 0
    can_delete = False
    fields = ("position", "url", "state", "detail", "attempts", "fetched_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ImportPreviewForm(forms.Form):
    posts_file = forms.FileField(label=_("Posts file"), required=False)
    format = forms.ChoiceField(
        label=_("Format"), choices=ImportFormat.choices, initial=ImportFormat.AUTO
    )
    account = forms.CharField(
        label=_("Account (when the file does not say whose posts they are)"),
        required=False,
        max_length=HANDLE_MAX_LENGTH,
    )
    mapping_name = forms.CharField(label=_("Save these columns as"), required=False, max_length=100)


def _mapping_from_post(data) -> dict:
    """The column staff chose for each field in the preview (`map_<field>`; "" is none)."""
    return {f: data.get(f"map_{f}", "") for f in FIELD_ALIASES if data.get(f"map_{f}", "")}


def _preview_columns(posts_file, data, mapping) -> list[str]:
    posts_file.seek(0)
    preview = posts_preview(
        posts_data=posts_file.read(),
        posts_name=posts_file.name,
        format=data["format"],
        account=data["account"],
        mapping=mapping,
    )
    return preview["columns"]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe): a list of uploads."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class ImportForm(forms.Form):
    posts_file = forms.FileField(
        label=_(
            "Posts file (CSV, Excel .xlsx, JSON Lines, Graph API or Apify JSON, instaloader zip)"
        )
    )
    more_posts_files = MultipleFileField(
        label=_("Further pages of a Graph API export (several files)"), required=False
    )
    influencers_file = forms.FileField(label=_("Influencers file"), required=False)
    images_zip = forms.FileField(label=_("Images (zip of <post_id>.jpg)"), required=False)
    format = forms.ChoiceField(
        label=_("Format"), choices=ImportFormat.choices, initial=ImportFormat.AUTO
    )
    account = forms.CharField(
        label=_("Account (when the file does not say whose posts they are)"),
        required=False,
        max_length=HANDLE_MAX_LENGTH,
    )


@admin.register(Influencer)
class InfluencerAdmin(admin.ModelAdmin):
    list_display = (
        "thumbnail",
        "handle",
        "display_name",
        "gender",
        "body_size",
        "followers",
        "post_count",
        "consumer_style",
        "brand_style",
        "is_active",
        "is_demo",
        "tracked",
        "refreshed_at",
        "refresh_error",
    )
    list_filter = (
        NeedsCurationFilter,
        "is_active",
        "gender",
        "body_size",
        RepresentativeStyleFilter,
        "is_demo",
        "tracked",
        "refresh_stopped",
    )
    search_fields = ("handle", "display_name")
    list_editable = ("is_active",)
    formfield_overrides = VALIDATED_IMAGES
    readonly_fields = (
        "wordcloud",
        "post_count",
        "classified_post_count",
        "total_likes",
        "style_stats_table",
        "brand_style",
        "consumer_style",
        "keywords",
        "sponsored_share",
        "wordcloud_preview",
        "profile_updated_at",
        "summary_updated_at",
        "refreshed_at",
        "follows_count",
        "media_count",
        "refresh_error",
        "refresh_error_at",
    )
    exclude = (
        "style_stats",
        "refresh_error_code",
        "refresh_error_detail",
    )  # shown as style_stats_table, with style names
    inlines = [PostInline]
    actions = ["activate", "deactivate", "reclassify", "rebuild_wordcloud", "refresh_now"]

    @admin.display(description=_("last refresh error"))
    def refresh_error(self, influencer):
        if not influencer.refresh_error_code:
            return "—"
        return refresh_error_text(influencer.refresh_error_code, influencer.refresh_error_detail)

    @admin.action(description=_("Refresh now from Instagram"), permissions=["change"])
    def refresh_now(self, request, queryset):
        run = influencers_refresh_now(
            influencer_ids=list(queryset.values_list("pk", flat=True)), user=request.user
        )
        self.message_user(
            request,
            _("Refresh run #%(run)d queued for %(count)d influencers.")
            % {"run": run.pk, "count": run.total},
        )

    @admin.display(description=_("style statistics"))
    def style_stats_table(self, influencer):
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (style_label(code) or code, stats.get("posts", 0), stats.get("likes", 0))
                for code, stats in influencer.style_stats.items()
            ),
        )
        if not rows:
            return "—"
        return format_html(
            "<table><tr><th>{}</th><th>{}</th><th>{}</th></tr>{}</table>",
            _("style"),
            _("posts"),
            _("likes"),
            rows,
        )

    change_list_template = "admin/influencers/influencer/change_list.html"

    def save_model(self, request, obj, form, change):
        if "profile_image" in form.changed_data:
            curation.influencer_profile_image_replace(
                influencer=obj, previous_name=_initial_file_name(form, "profile_image")
            )
        else:
            super().save_model(request, obj, form, change)
        if not change or {"handle", "display_name"} & set(form.changed_data):
            influencer_search_names_rebuild(influencer_ids=[obj.pk])  # found by its new name now
        if obj.tracked and ("tracked" in form.changed_data or not change):
            # A handle staff start tracking fills in at once, not at the next scheduled run.
            refresh_run_create(
                influencer_ids=[obj.pk], trigger=RefreshRun.Trigger.ADMIN, user=request.user
            )

    def get_changelist_form(self, request, **kwargs):
        """The list's "active" checkboxes, each named for its influencer (screen readers)."""
        base = super().get_changelist_form(request, **kwargs)

        class LabelledForm(base):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                label = Influencer._meta.get_field("is_active").verbose_name
                self.fields["is_active"].widget.attrs["aria-label"] = (
                    f"{label}: @{self.instance.handle}"
                )

        return LabelledForm

    @admin.display(description=_("profile"))
    def thumbnail(self, obj):
        return _thumb(obj.profile_image, 32)

    @admin.display(description=_("word cloud"))
    def wordcloud_preview(self, obj):
        return _thumb(obj.wordcloud, 160)

    @admin.action(description=_("Activate (recommend)"))
    def activate(self, request, queryset):
        n = curation.influencers_set_active(influencer_ids=queryset.values("pk"), active=True)
        self.message_user(request, _("%d influencers activated.") % n)

    @admin.action(description=_("Deactivate (stop recommending)"))
    def deactivate(self, request, queryset):
        n = curation.influencers_set_active(influencer_ids=queryset.values("pk"), active=False)
        self.message_user(request, _("%d influencers deactivated.") % n)

    @admin.action(description=_("Re-classify posts"))
    def reclassify(self, request, queryset):
        n = curation.influencers_reclassify(
            influencer_ids=list(queryset.values_list("pk", flat=True))
        )
        self.message_user(request, _("%d posts queued for classification.") % n)

    @admin.action(description=_("Rebuild word cloud"))
    def rebuild_wordcloud(self, request, queryset):
        n = curation.influencers_summaries_rebuild(
            influencer_ids=list(queryset.values_list("pk", flat=True))
        )
        self.message_user(request, _("%d word clouds queued.") % n)

    def changelist_view(self, request, extra_context=None):
        graph_token_notices(request)
        context = {
            **(extra_context or {}),
            "can_import": user_has_model_permission(request.user, IMPORT_PERMISSION),
            "can_track": user_has_model_permission(request.user, TRACK_PERMISSION),
            "needing_curation": Influencer.objects.needing_curation().count(),
        }
        return super().changelist_view(request, context)

    def get_urls(self):
        return [
            path(
                "import/", self.admin_site.admin_view(self.import_view), name="influencers_import"
            ),
            path("track/", self.admin_site.admin_view(self.track_view), name="influencers_track"),
            path(
                "import/preview/",
                self.admin_site.admin_view(self.import_preview_view),
                name="influencers_import_preview",
            ),
            path(
                "import/<int:job_id>/",
                self.admin_site.admin_view(self.import_job_view),
                name="influencers_import_job",
            ),
        ] + super().get_urls()

    def import_view(self, request):
        _import_permission_check(request)
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                job = import_job_start(
                    user=request.user,
                    posts_file=data["posts_file"],
                    influencers_file=data["influencers_file"],
                    images_file=data["images_zip"],
                    format=data["format"],
                    more_posts_files=data["more_posts_files"],
                    account=data["account"],
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect(reverse("admin:influencers_import_job", args=[job.pk]))
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": _("Import posts"),
            "jobs": selectors.import_job_list()[:10],
        }
        return render(request, "admin/influencers/import.html", context)

    def import_preview_view(self, request):
        """Upload a posts file, see its first rows as they will be read and the column chosen for
        each field, change the choices, keep them as a named mapping, then import."""
        _import_permission_check(request)
        form = ImportPreviewForm(request.POST or None, request.FILES or None)
        context = {**self.admin_site.each_context(request), "title": _("Import preview")}
        token = request.POST.get("token", "")
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if data["posts_file"]:
                    import_preview_discard(token=token)
                    token = import_preview_keep(posts_file=data["posts_file"])
                if not token:
                    raise ApplicationError(_("Choose a posts file."), code="empty_file")
                posts_file = import_preview_file(token=token)
                mapping = (
                    _mapping_from_post(request.POST) if "field_choices" in request.POST else None
                )
                action = request.POST.get("action", "preview")
                if action == "save":
                    import_mapping_save(
                        name=data["mapping_name"],
                        columns=_preview_columns(posts_file, data, mapping),
                        fields=mapping or {},
                    )
                    self.message_user(request, _("Column mapping saved."))
                elif action == "import":
                    job = import_job_start(
                        user=request.user,
                        posts_file=posts_file,
                        format=data["format"],
                        account=data["account"],
                        mapping=mapping,
                    )
                    import_preview_discard(token=token)
                    return redirect(reverse("admin:influencers_import_job", args=[job.pk]))
                posts_file.seek(0)
                context["preview"] = posts_preview(
                    posts_data=posts_file.read(),
                    posts_name=posts_file.name,
                    format=data["format"],
                    account=data["account"],
                    mapping=mapping,
                )
                context["fields"] = [
                    (f, context["preview"]["chosen"].get(f, "")) for f in FIELD_ALIASES
                ]
            except ApplicationError as exc:
                form.add_error(None, exc.message)
        context.update(form=form, token=token)
        return render(request, "admin/influencers/import_preview.html", context)

    def track_view(self, request):
        """Start tracking handles typed by staff: new ones are added, all are refreshed now."""
        if not user_has_model_permission(request.user, TRACK_PERMISSION):
            raise PermissionDenied
        form = TrackHandlesForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                influencers, created = influencers_track(handles=form.cleaned_data["handles"])
            except ApplicationError as exc:
                form.add_error("handles", exc.message)
            else:
                run = refresh_run_create(
                    influencer_ids=[i.pk for i in influencers],
                    trigger=RefreshRun.Trigger.ADMIN,
                    user=request.user,
                )
                self.message_user(
                    request,
                    _(
                        "%(new)d new and %(known)d known handles tracked; refresh run #%(run)d queued."
                    )
                    % {
                        "new": len(created),
                        "known": len(influencers) - len(created),
                        "run": run.pk,
                    },
                )
                return redirect(reverse("admin:influencers_refreshrun_change", args=[run.pk]))
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": _("Track Instagram handles"),
        }
        return render(request, "admin/influencers/track.html", context)

    def import_job_view(self, request, job_id):
        _import_permission_check(request)
        job = selectors.import_job_get(job_id=job_id)
        context = {
            **self.admin_site.each_context(request),
            "job": job,
            "title": _("Import #%d") % job.pk,
        }
        return render(request, "admin/influencers/import_job.html", context)


class PostImageInline(admin.TabularInline):
    """A carousel's images after the cover; new or replaced files go through the upload validator."""

    model = PostImage
    extra = 0
    max_num = POST_IMAGES_MAX - 1  # the cover is the post's own image
    fields = ("preview", "position", "image")
    readonly_fields = ("preview",)
    formfield_overrides = VALIDATED_IMAGES

    def get_formset(self, request, obj=None, **kwargs):
        # max_num alone only limits the browser's "add" button; a crafted POST is checked too.
        return super().get_formset(request, obj, validate_max=True, **kwargs)

    @admin.display(description=_("preview"))
    def preview(self, extra):
        return _thumb(extra.image, 80)


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = (
        "preview",
        "instagram_id",
        "influencer",
        "posted_at",
        "effective_likes",
        "likes_imputed",
        "predicted_style",
        "prototype_style",
        "style_confidence_shown",
        "classification_status",
    )
    list_filter = (
        "classification_status",
        "predicted_style",
        "likes_imputed",
        "is_video",
        "is_sponsored",
        ImageLinkStateFilter,
    )
    search_fields = ("instagram_id", "influencer__handle", "caption")
    list_select_related = ("influencer",)
    raw_id_fields = ("influencer",)
    formfield_overrides = VALIDATED_IMAGES
    readonly_fields = (
        "image_sha256",
        "effective_likes",
        "likes_imputed",
        "predicted_style",
        "prototype_style",
        "style_confidence_shown",
        "model_version",
        "classified_at",
        "unclassifiable_reason",
        "classification_status",
        "extra_image_count",
    )
    inlines = [PostImageInline, PostImageLinkInline]
    exclude = ("style_confidence",)  # shown as a percentage

    @admin.display(description=_("style confidence"), ordering="style_confidence")
    def style_confidence_shown(self, post):
        return confidence_percent(post.style_confidence)

    @admin.display(description=_("image"))
    def preview(self, post):
        return _thumb(post.image, 40)

    def save_formset(self, request, form, formset, change):
        if formset.model is not PostImage:
            return super().save_formset(request, form, formset, change)
        saved = formset.save(commit=False)  # also what the change message reads
        if not (saved or formset.deleted_objects):
            return None
        replaced = [
            _initial_file_name(f, "image")
            for f in formset.forms
            if f.instance.pk and "image" in f.changed_data
        ]
        curation.post_images_saved_by_staff(
            post=form.instance,
            saved=saved,
            deleted=formset.deleted_objects,
            previous_images=[name for name in replaced if name],
        )
        return None

    def save_model(self, request, obj, form, change):
        replaced = "image" in form.changed_data  # its style is void: re-classified, old file goes
        curation.post_saved_by_staff(
            post=obj, previous_image=_initial_file_name(form, "image") if replaced else None
        )


@admin.register(Stopword)
class StopwordAdmin(admin.ModelAdmin):
    list_display = ("word", "created_at")
    search_fields = ("word",)


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "source_name",
        "format",
        "status",
        "processed_rows",
        "total_rows",
        "created_by",
        "created_at",
    )
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def has_add_permission(self, request):
        return False


from influencers import removal_admin  # noqa: E402, F401  (removal requests, suppression list)
