from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "tiantou.indicators"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        # Every app's `indicators.py` declares its indicators and sources: collect them.
        # Imported here, once the apps are loaded: the registry reads their modules.
        from . import registry

        registry.autodiscover()
