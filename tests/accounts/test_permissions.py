"""Who acts for a section: one rule, as a query (User.objects.acting_for) and as a
check on a loaded user (works_in_section), used by sheets, reports, mails and imports."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import Position, Section, User
from accounts.permissions import works_in_section
from accounts.roles import Role


def person(username, *, section, position=Position.STAFF, roles=(), is_active=True):
    section = Section.objects.get(code=section)
    user = User.objects.create_user(username, f"{username}@city.akishima.example", "pass-for-tests",
                                    section=section, department=section.department, position=position,
                                    is_active=is_active)
    user.groups.set(Group.objects.filter(name__in=[role.value for role in roles]))
    return user


@pytest.fixture
def people(demo_users):
    """The demo users and the cases at the edge of the rule."""
    return {
        **demo_users,
        "kakaricho": person("kakaricho", section="shimin", position=Position.SUBSECTION_CHIEF),
        "kacho-no-role": person("kacho-no-role", section="kankyo", position=Position.SECTION_CHIEF),
        "left": person("left", section="shimin", roles=[Role.DEPARTMENT_STAFF], is_active=False),
        "viewer": person("viewer", section="shimin", roles=[Role.VIEWER]),
    }


def test_the_query_and_the_check_agree_for_everyone_and_every_section(people):
    for section in Section.objects.all():
        acting = set(User.objects.acting_for([section.pk]))
        for user in people.values():
            user = User.objects.get(pk=user.pk)  # fresh: the role cache is per object
            assert works_in_section(user, section.pk) == (user in acting), (user.username, section.code)


def test_who_acts_for_shimin(people):
    shimin = Section.objects.get(code="shimin")
    assert {u.username for u in User.objects.acting_for([shimin.pk])} == {"demo-staff-a", "demo-kacho"}
    assert {u.username for u in User.objects.acting_for([Section.objects.get(code="kankyo").pk])} == {
        "demo-staff-b", "kacho-no-role"}  # a 課長 acts for the 課 without the staff role
    assert not User.objects.acting_for([None]).exists()


@pytest.mark.parametrize(("username", "may_import"), [
    ("demo-staff-a", True), ("demo-kacho", True), ("demo-joho", True), ("kacho-no-role", True),
    ("kakaricho", False), ("viewer", False), ("demo-bucho", False), ("demo-exec", False),
])
def test_the_excel_import_is_for_those_who_act_for_their_section(client, people, username, may_import):
    client.force_login(people[username])
    page = client.get(reverse("exchange:data_index"))
    assert (page.context["form"] is not None) == may_import
    assert client.get(reverse("exchange:import_upload")).status_code == (200 if may_import else 404)
