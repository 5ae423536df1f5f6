from django.apps import AppConfig


class FollowsConfig(AppConfig):
    name = "follows"
    verbose_name = "フォローとお知らせ"

    def ready(self):
        from django.db.models.signals import post_save
        from simple_history.signals import post_create_historical_record

        from follows import notify
        from governance.models import ReportEvent
        from projects.models import ProjectSheet

        post_save.connect(notify.report_moved, sender=ReportEvent, dispatch_uid="follows.report_moved")
        post_create_historical_record.connect(notify.sheet_revised, sender=ProjectSheet.history.model,
                                              dispatch_uid="follows.sheet_revised")
