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
        # The account's export and withdrawal reach this app through the registry (no upward
        # import from accounts).
        from campaigns import user_data
        from common.user_data import user_data_register

        user_data_register(
            name="campaigns",
            export=user_data.campaigns_export,
            files=user_data.campaign_files,
            delete=user_data.campaigns_delete,
        )
        user_data_register(
            name="saved_influencers",
            export=user_data.saved_export,
            files=user_data.saved_files,
            delete=user_data.saved_delete,
        )
