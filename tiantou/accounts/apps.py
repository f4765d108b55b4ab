from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "tiantou.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Connect the receivers: the log-in audit, and the second step of the log-in.
        from . import signals  # noqa: F401
        from .twofactor import signals as twofactor_signals  # noqa: F401
