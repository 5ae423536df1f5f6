from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data and the benchmark's generated city: tools for development and
    measurement, kept outside the product's packages (nothing there imports them)."""

    name = "demo"
    verbose_name = "デモと計測"
