"""Writes for the organisation and users."""

import tomllib
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import Department, Position, Section, User
from accounts.roles import Role

ORGANISATION_FILE = Path(settings.BASE_DIR) / "fixtures" / "organisation.toml"
DEMO_PASSWORD = "demo"


@transaction.atomic
def load_organisation(*, path: Path = ORGANISATION_FILE) -> int:
    """Create the 部 and 課 of the file that do not exist yet; never change existing ones.

    Returns the number of sections created.
    """
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    created = 0
    for dept_order, dept in enumerate(data["departments"], start=1):
        department, _ = Department.objects.get_or_create(
            code=dept["code"], defaults={"name": dept["name"], "sort_order": dept_order}
        )
        for sect_order, sect in enumerate(dept["sections"], start=1):
            _, was_created = Section.objects.get_or_create(
                code=sect["code"],
                defaults={"department": department, "name": sect["name"], "sort_order": sect_order},
            )
            created += was_created
    return created


# username, family name, given name, section code (or department code for 部長),
# position, roles. The README lists the same people.
DEMO_USERS = [
    ("demo-joho", "情報", "花子", "joho-suishin", Position.STAFF,
     [Role.ICT_OFFICE, Role.DEPARTMENT_STAFF]),
    ("demo-staff-a", "市民", "一郎", "shimin", Position.STAFF, [Role.DEPARTMENT_STAFF]),
    ("demo-staff-b", "環境", "二郎", "kankyo", Position.STAFF, [Role.DEPARTMENT_STAFF]),
    ("demo-kacho", "課長", "三郎", "shimin", Position.SECTION_CHIEF,
     [Role.DEPARTMENT_STAFF, Role.COMMITTEE]),
    ("demo-kikaku", "企画", "七海", "kikaku-seisaku", Position.SECTION_CHIEF,
     [Role.DEPARTMENT_STAFF, Role.COMMITTEE]),
    ("demo-bucho", "総務", "四郎", "somu", Position.DIRECTOR,
     [Role.COMMITTEE, Role.HEADQUARTERS]),
    ("demo-exec", "副市長", "五郎", None, Position.DEPUTY_MAYOR, [Role.HEADQUARTERS, Role.VIEWER]),
    ("demo-advisor", "補佐", "六子", None, Position.ADVISOR, [Role.CIO_ADVISOR]),
]


@transaction.atomic
def create_demo_users() -> list[User]:
    """Create the demo users (password 「demo」) that do not exist yet.

    Only for development and demonstrations: the caller checks DEMO_USERS_ALLOWED.
    """
    created = []
    for username, last, first, unit, position, roles in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
        section = Section.objects.filter(code=unit).first() if unit else None
        department = section.department if section else Department.objects.filter(code=unit).first()
        user = User(
            username=username,
            last_name=last,
            first_name=first,
            email=f"{username}@city.akishima.example",
            section=section,
            department=department,
            position=position,
            # 情報推進課 keeps the master data in the admin.
            is_staff=Role.ICT_OFFICE in roles,
        )
        user.set_password(DEMO_PASSWORD)
        user.full_clean()
        user.save()
        user.groups.set(Group.objects.filter(name__in=[role.value for role in roles]))
        created.append(user)
    return created
