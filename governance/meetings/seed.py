"""Loading the governance bodies of the 要綱 (fixtures/governance.toml)."""

import tomllib
from pathlib import Path

from django.conf import settings
from django.db import transaction

from accounts.models import Department, Section
from governance.models import Body, Seat

BODIES_FILE = Path(settings.BASE_DIR) / "fixtures" / "governance.toml"


@transaction.atomic
def load_bodies(*, path: Path = BODIES_FILE) -> int:
    """Create the bodies that do not exist yet, with their seats; never change existing ones."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    created = 0
    for entry in data["bodies"]:
        if Body.objects.filter(code=entry["code"]).exists():
            continue
        body = Body.objects.create(
            code=entry["code"], kind=entry["kind"], name=entry["name"], role=entry.get("role", ""),
            makeup=entry.get("makeup", ""),
            parent=Body.objects.filter(code=entry.get("parent")).first(),
        )
        for order, seat in enumerate(entry.get("seats", []), start=1):
            Seat.objects.create(
                body=body, role=seat["role"], position=seat["position"], sort_order=order,
                department=Department.objects.get(code=seat["department"]) if "department" in seat else None,
                section=Section.objects.get(code=seat["section"]) if "section" in seat else None,
            )
        created += 1
    return created
