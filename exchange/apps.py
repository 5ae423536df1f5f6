from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    """Excel in and out: exports, section templates and imports with a preview."""

    name = "exchange"
    verbose_name = "データの入出力"
