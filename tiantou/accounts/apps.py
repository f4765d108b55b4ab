from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "tiantou.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from .twofactor import signals  # noqa: F401  (connects the log-in receiver)
