from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "tiantou.indicators"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        # Sources and indicators of the cadres' work and oversight register themselves.
        from . import oversight_indicators  # noqa: F401
