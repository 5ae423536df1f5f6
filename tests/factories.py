"""factory_boy factories for test data; `fixtures/` holds seed data only."""

import factory

from accounts.models import Department, Position, Section, User
from plans import structure
from plans.models import Numbering, Plan


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    code = factory.Sequence(lambda n: f"dept-{n}")
    name = factory.Sequence(lambda n: f"テスト{n}部")


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    department = factory.SubFactory(DepartmentFactory)
    code = factory.Sequence(lambda n: f"sect-{n}")
    name = factory.Sequence(lambda n: f"テスト{n}課")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = "試験"
    first_name = factory.Sequence(lambda n: f"太郎{n}")
    section = factory.SubFactory(SectionFactory)
    department = factory.SelfAttribute("section.department")
    position = Position.STAFF
    password = factory.django.Password("pass-for-tests")


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    code = factory.Sequence(lambda n: f"plan{n}")
    name = factory.Sequence(lambda n: f"テスト計画{n}")
    start_year = 2021
    end_year = 2025


SECOND_PLAN_LEVELS = [
    structure.LevelSpec("目標", Numbering.ROMAN, has_text=True),
    structure.LevelSpec("基本方針"),
    structure.LevelSpec("情報化施策", has_text=True),
]


def make_levels(plan, names=None):
    """Give a plan its levels: the second plan's three unless named."""
    specs = SECOND_PLAN_LEVELS if names is None else [structure.LevelSpec(name) for name in names]
    structure.set_levels(plan, specs)
    return plan


def make_plan(*, goals=3, policies=3, measures=3, projects=50, code="big", reposts=True, fanout=None,
              levels=None):
    """A generated plan with `projects` projects spread over the items of its last level.

    By default the second plan's shape (目標 → 基本方針 → 情報化施策, goals × policies ×
    measures items); `levels` names other levels and `fanout` gives the number of
    children per level. Every third project is also placed (再掲) under a second
    item, so that pages are measured with reposts as the real plan has them.
    """
    plan = PlanFactory(code=code, name=f"生成計画{code}")
    fanout = fanout or (goals, policies, measures)
    make_levels(plan, levels or (None if len(fanout) == 3 else [f"階層{d}" for d in range(1, len(fanout) + 1)]))
    leaves = []
    prefixes = ["目標", "基本方針", "施策"] if len(fanout) == 3 and not levels else [lv.name for lv in plan.level_list]

    def grow(parent, depth):
        for _ in range(fanout[depth]):
            item = structure.add_item(plan, parent=parent, title="項目")
            item.title = f"{prefixes[depth]}{item.path}"
            item.save(update_fields=["title"])
            if depth + 1 < len(fanout):
                grow(item, depth + 1)
            else:
                leaves.append(item)

    grow(None, 0)
    for i in range(projects):
        home = leaves[i % len(leaves)]
        project = structure.create_project(home, name=f"生成事業{i}", is_planned=i % 5 == 0)
        if reposts and i % 3 == 0:
            other = leaves[(i + 1) % len(leaves)]
            if other != home:
                structure.place_project(project, other)
    return plan


def make_user(username, *, position, section=None, department=None, **extra):
    """A validated user of a seed section or department (by code), with an e-mail address."""
    if section is not None:
        section = Section.objects.get(code=section)
        department = section.department
    elif department is not None:
        department = Department.objects.get(code=department)
    user = User(username=username, last_name="試験", first_name=username, position=position,
                section=section, department=department, email=f"{username}@city.akishima.example",
                **extra)
    user.set_password("pass-for-tests")
    user.full_clean()
    user.save()
    return user


def adopt_next_plan(*, code="third", project_name="第三期テスト事業"):
    """The plan after the second (令和3〜7年度, FY2021-2025), adopted and made current
    as 情報推進課 does on adoption (plans.structure.make_current), with one item, one
    project and its sheet. The second plan stays as it is, no longer current."""
    from projects.services import ensure_sheets

    plan = structure.create_plan(levels=[structure.LevelSpec("施策")], in_preparation=False, code=code,
                                 name="第三期昭島市情報化推進計画", start_year=2021, end_year=2025)
    item = structure.add_item(plan, parent=None, title="第三期テスト施策")
    structure.create_project(item, name=project_name)
    ensure_sheets(plan=plan)
    structure.make_current(plan)
    return plan
