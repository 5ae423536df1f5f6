"""factory_boy factories for test data; `fixtures/` holds seed data only."""

import factory

from accounts.models import Department, Position, Section, User
from plans.models import Goal, Measure, Placement, Plan, Policy, Project
from plans.services import project_code


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


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    plan = factory.SubFactory(PlanFactory)
    number = factory.Sequence(lambda n: n % 10 + 1)
    title = factory.Sequence(lambda n: f"目標{n}")


class PolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Policy

    goal = factory.SubFactory(GoalFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"基本方針{n}")


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measure

    policy = factory.SubFactory(PolicyFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"情報化施策{n}")
    description = "施策の説明"


def make_plan(*, goals=3, policies=3, measures=3, projects=50, code="big", reposts=True):
    """A generated plan with `projects` projects spread over its measures.

    Every third project is also placed (再掲) under a second measure, so that
    pages are measured with reposts as the real plan has them.
    """
    plan = PlanFactory(code=code, name=f"生成計画{code}")
    all_measures = []
    for g in range(1, goals + 1):
        goal = Goal.objects.create(plan=plan, number=g, title=f"目標{g}")
        for p in range(1, policies + 1):
            policy = Policy.objects.create(goal=goal, number=p, title=f"基本方針{g}-{p}")
            for m in range(1, measures + 1):
                all_measures.append(
                    Measure.objects.create(policy=policy, number=m, title=f"施策{g}-{p}-{m}")
                )
    positions = {measure.pk: 0 for measure in all_measures}
    created = []
    for i in range(projects):
        home = all_measures[i % len(all_measures)]
        positions[home.pk] += 1
        project = Project.objects.create(
            plan=plan,
            code=project_code(
                goal=home.policy.goal.number,
                policy=home.policy.number,
                measure=home.number,
                serial=positions[home.pk],
            ),
            name=f"生成事業{i}",
            is_planned=i % 5 == 0,
        )
        Placement.objects.create(project=project, measure=home, position=positions[home.pk], is_home=True)
        if reposts and i % 3 == 0:
            other = all_measures[(i + 1) % len(all_measures)]
            if other != home:
                positions[other.pk] += 1
                Placement.objects.create(
                    project=project, measure=other, position=positions[other.pk], is_home=False
                )
        created.append(project)
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
