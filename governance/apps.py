from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "進行管理と会議体"

    def ready(self):
        from governance.books import workers

        workers.watch_worker_start()
