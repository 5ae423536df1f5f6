from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "職員と組織"

    def ready(self):
        from accounts.roles import sync_role_groups

        # Like Django's own permissions, the role groups follow the code after
        # every migrate; the last app's signal sees every permission.
        post_migrate.connect(sync_role_groups, dispatch_uid="accounts.sync_role_groups")
        from accounts import signals  # noqa: F401  (connects the audit and session receivers)
