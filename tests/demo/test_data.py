"""The demo data (`load_plan --demo`) never leaves mails to send: its addresses are
examples, so a fresh demo must not start with failed or console-printed mails."""

import pytest
from django.core import mail

from accounts.services import create_demo_users
from core.models import MailStatus, OutgoingMail
from demo.data import DEMO_MAIL_REASON, create_demo_cycle
from tests.conftest import load_seed


@pytest.mark.django_db(transaction=True)  # as `load_demo` runs: each commit runs its on_commit callbacks
def test_the_demo_cycle_queues_no_mail_to_send(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    load_seed()
    create_demo_users()
    assert create_demo_cycle() is not None
    assert mail.outbox == []
    assert not OutgoingMail.objects.filter(status__in=[MailStatus.PENDING, MailStatus.FAILED]).exists()
    recorded = OutgoingMail.objects.all()
    assert recorded.exists()  # the cycle's mails are kept, as 送信しない
    assert {(m.status, m.discard_reason) for m in recorded} == {(MailStatus.DISCARDED, DEMO_MAIL_REASON)}
