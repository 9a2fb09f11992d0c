from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InfluencersConfig(AppConfig):
    name = "influencers"
    verbose_name = _("Influencer catalogue")

    def ready(self):
        from django.db.models.signals import post_delete

        from influencers.models import Post, PostImage
        from influencers.services.curation import post_image_deleted

        post_delete.connect(post_image_deleted, sender=Post, dispatch_uid="post_cover_file")
        post_delete.connect(post_image_deleted, sender=PostImage, dispatch_uid="post_image_file")
