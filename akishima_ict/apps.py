"""Third-party apps under Japanese names in the admin (INSTALLED_APPS names these classes,
as Django documents for renaming an app you do not own)."""

import axes.apps
import django_tasks_db.apps


class AxesConfig(axes.apps.AppConfig):
    verbose_name = "ログイン試行の制限"


class TasksDatabaseConfig(django_tasks_db.apps.TasksAppConfig):
    verbose_name = "裏側のタスク(PDF の作成)"
