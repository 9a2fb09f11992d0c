from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecommenderConfig(AppConfig):
    name = "recommender"
    verbose_name = _("Recommendations and style model")

    def ready(self):
        # The lower apps announce; the recommender listens (app layering: see docs/architecture.md).
        from common.health import health_check_register
        from common.media import private_media_register
        from influencers.signals import posts_need_classification
        from recommender.selectors.requests import recommendation_image_owned
        from recommender.services.classification import posts_classification_requested
        from recommender.services.classifiers import model_health_check

        posts_need_classification.connect(
            posts_classification_requested, dispatch_uid="recommender-classify-posts"
        )
        private_media_register(
            prefix="queries/",
            is_owner=recommendation_image_owned,
            staff_permission="recommender.view_recommendationrequest",
        )
        health_check_register("style_model", model_health_check)

        from common.user_data import user_data_register
        from recommender.services.user_data import (
            recommendation_files,
            recommendations_delete,
            recommendations_export,
        )

        user_data_register(
            name="recommendations",
            export=recommendations_export,
            files=recommendation_files,
            delete=recommendations_delete,
        )
