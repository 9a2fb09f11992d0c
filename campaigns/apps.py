from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Campaigns and saved lists")

    def ready(self):
        # Team activity (a lower app) shows stage moves in the reader's language.
        from accounts.teams.activity_labels import activity_labeller_register
        from campaigns.models import Stage

        activity_labeller_register(kind="stage", labeller=lambda code: str(Stage(code).label))
