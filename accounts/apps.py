from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from accounts.privacy.access_log import private_media_access_record
        from accounts.privacy.consents import policy_consent_on_log_in
        from accounts.privacy.user_data import profile_delete, profile_export, profile_files
        from common.media import private_media_read_by_staff
        from common.user_data import user_data_register

        user_data_register(
            name="profile", export=profile_export, files=profile_files, delete=profile_delete
        )
        user_logged_in.connect(policy_consent_on_log_in, dispatch_uid="accounts-policy-consent")
        private_media_read_by_staff.connect(
            private_media_access_record, dispatch_uid="accounts-private-media-access"
        )
