"""Shared fixtures: thin on purpose; data comes from factories or the seed loader."""

import pytest

from accounts.services import create_demo_users, load_organisation
from plans.services import load_seed_plans
from projects.services import ensure_sheets


@pytest.fixture
def seed(db):
    """The organisation and the seed plans, loaded as `make run` loads them."""
    load_organisation()
    plans = {plan.code: plan for plan in load_seed_plans()}
    for plan in plans.values():
        ensure_sheets(plan=plan)
    return plans


@pytest.fixture
def demo_users(seed):
    """The demo users of the README, by username."""
    create_demo_users()
    from accounts.models import User

    return {user.username: user for user in User.objects.filter(username__startswith="demo-")}


@pytest.fixture
def staff_client(client, demo_users):
    """A client signed in as department staff (demo-staff-a)."""
    client.force_login(demo_users["demo-staff-a"])
    return client
