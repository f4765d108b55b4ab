from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tiantou.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from . import checks  # noqa: F401 (registers the start-up checks)
        from .middleware import start_session_clock

        user_logged_in.connect(start_session_clock, dispatch_uid="tiantou_session_clock")
