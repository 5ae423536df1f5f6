"""Background tasks of any app (django-tasks, run by `manage.py db_worker`)."""

from django_tasks import task

from core import mail


@task()
def send_queued_mail(mail_ids: list[int]) -> dict:
    """Send the mails an action recorded (core.mail.queue); failures stay listed."""
    sent, failed = mail.deliver(mail_ids)
    return {"sent": sent, "failed": failed}
