import pytest

from follows.models import Follow
from tests.governance.conftest import cycle, shimin_report, shimin_sheets, tasks_run_at_once  # noqa: F401


def sheet_url(sheet):
    return f"/sheets/{sheet.project.plan.code}/{sheet.project.code}/"


def follow_url(sheet, verb="follow"):
    return f"/follows/{sheet.project.plan.code}/{sheet.project.code}/{verb}/"


@pytest.fixture
def follows(demo_users):
    """follow(username, project): the user follows the project (as the button does)."""
    def follow(username, project):
        return Follow.objects.create(user=demo_users[username], project=project)
    return follow
