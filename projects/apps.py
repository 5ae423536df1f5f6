from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "情報化事業シート"

    def ready(self):
        from simple_history.signals import pre_create_historical_record

        from projects.revisions import stamp_revision

        pre_create_historical_record.connect(stamp_revision, dispatch_uid="projects.stamp_revision")
