"""The whole plan book: the plan's chapters in order (plans.PlanChapter), with the
parts the data draws placed where the chapters put them — the 施策体系 diagram
(図2-3), chapter 2 from the hierarchy, 表1-1 from the governance bodies, the
要綱's 別表, the predecessor plan's survey (表4-2〜4-4) and the schedule (図3-3).

A fixed number of queries whatever the number of chapters: the chapters, then
each part that a chapter places, once.
"""

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from core import fiscal
from governance.models import Body, BodyKind, Seat, SeatRole
from plans import book, diagram, tree
from plans.models import Plan

# What each body's chair and vice-chair are called (表1-1, 要綱 第3-4条).
CHAIR_TITLES = {
    BodyKind.HEADQUARTERS: ("本部長", "副本部長"),
    BodyKind.COMMITTEE: ("会長", "副会長"),
    BodyKind.SECURITY: ("委員長", "副委員長"),
}


def chapter_views(plan: Plan) -> list[book.ChapterView]:
    chapters = list(plan.chapters.order_by("position"))
    return book.chapter_views(chapters, lambda key: draw(plan, key))


def draw(plan: Plan, key: str) -> SafeString | None:
    function = PARTS.get(key)
    return function(plan) if function else None


def hierarchy(plan: Plan) -> SafeString:
    """Every item of the first level with everything below it, its texts and projects."""
    top = tree.build(plan, limit=None)
    for item in top:
        item.below = list(_preorder(item.child_list))
    return render_to_string("governance/pdf/book_parts/_hierarchy.html",
                            {"plan": plan, "levels": plan.level_list, "top": top})


def _preorder(items):
    for item in items:
        yield item
        yield from _preorder(item.child_list)


def bodies(plan: Plan) -> SafeString:
    """表1-1: each body (the working groups aside), its chair, vice-chair and members by post, and its role."""
    found = list(Body.objects.exclude(kind=BodyKind.WORKING_GROUP).order_by("pk")
                 .prefetch_related("seats__department", "seats__section__department"))
    rows = [(body, _seat_lines(body)) for body in found]
    return render_to_string("governance/pdf/book_parts/_bodies.html", {"rows": rows})


def _seat_lines(body: Body) -> list[str]:
    if body.makeup:
        return body.makeup.splitlines()
    chair, vice = CHAIR_TITLES.get(body.kind, ("長", "副"))
    seats = list(body.seats.all())
    lines = [f"{chair}:{seat.post_label.removesuffix('職')}" for seat in seats if seat.role == SeatRole.CHAIR]
    lines += [f"{vice}:{seat.post_label}" for seat in seats if seat.role == SeatRole.VICE_CHAIR]
    members = [seat for seat in seats if seat.role == SeatRole.MEMBER]
    posts = list(dict.fromkeys(f"{seat.get_position_display()}職" for seat in members))
    if members and body.kind != BodyKind.ADVISOR:
        lines.append(f"メンバー:{'・'.join(posts)}")
    elif members:
        lines += [seat.get_position_display() for seat in members[:1]]
    return lines


def members(plan: Plan) -> SafeString:
    """The 要綱's 別表 (第3条関係): the 検討会議's seats but the chair's, in order."""
    committee = Body.objects.filter(kind=BodyKind.COMMITTEE).order_by("pk").first()
    seats = [] if committee is None else list(
        Seat.objects.filter(body=committee).exclude(role=SeatRole.CHAIR)
        .select_related("department", "section__department").order_by("sort_order", "pk"))
    return render_to_string("governance/pdf/book_parts/_members.html", {"body": committee, "seats": seats})


def survey(plan: Plan, only: int | None = None) -> SafeString:
    """The end survey of the plan this one follows (表4-2〜4-4, or the one table `only`
    of them), or 「(調査結果なし)」."""
    from governance.survey import survey_tables

    tables = survey_tables(plan.predecessor) if plan.predecessor_id else None
    if tables and only is not None:
        tables = tables[only:only + 1]
    return render_to_string("governance/pdf/book_parts/_survey.html", {"tables": tables})


def schedule(plan: Plan) -> SafeString:
    """図3-3 as a table: 進行管理 every year, 中間見直し in year 3, 最終見直し in the last year."""
    years = plan.years
    rows = [("進行管理", ["●" for _ in years])]
    if len(years) >= 3:
        rows.append(("中間見直し", ["●" if index == 2 else "" for index in range(len(years))]))
    rows.append(("最終見直し", ["●" if index == len(years) - 1 else "" for index in range(len(years))]))
    labels = [fiscal.fy_short(year, plan.era) for year in years]
    return render_to_string("governance/pdf/book_parts/_schedule.html", {"labels": labels, "rows": rows})


PARTS = {
    "diagram": lambda plan: diagram.svg(plan, uid="book-diagram"),
    "hierarchy": hierarchy,
    "bodies": bodies,
    "members": members,
    "survey": survey,
    "survey_implementation": lambda plan: survey(plan, 0),
    "survey_progress": lambda plan: survey(plan, 1),
    "survey_direction": lambda plan: survey(plan, 2),
    "schedule": schedule,
}
