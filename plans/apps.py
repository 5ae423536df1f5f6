from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = "情報化推進計画"
