"""Who sits on a body: resolved from posts (職) at the time of asking, so that
when a person changes post the rights follow the new holder (要綱 第3-4条)."""

from functools import reduce
from operator import or_

from accounts.models import User
from governance.models import SeatRole


def _holders(seats):
    seats = list(seats)
    if not seats:
        return User.objects.none()
    return User.objects.filter(reduce(or_, (seat.holder_filter() for seat in seats))).distinct()


def members_of(body):
    """Everyone who currently holds a seat on the body."""
    return _holders(body.seats.all()).select_related("section__department", "department")


def holders_of(body, role: SeatRole):
    return _holders(body.seats.filter(role=role))


def chair_of(body):
    return holders_of(body, SeatRole.CHAIR).first()


def presiding_over(meeting):
    """The chair presides; when the chair is absent (not among the attendees) or
    the post is vacant, the vice-chair acts (要綱 第4条)."""
    attendees = set(meeting.attendees.values_list("pk", flat=True))
    for role in (SeatRole.CHAIR, SeatRole.VICE_CHAIR):
        holder = holders_of(meeting.body, role).first()
        if holder and holder.pk in attendees:
            return holder, role
    return None, None


def holds(user, seat) -> bool:
    return (
        user.is_active and user.position == seat.position
        and (not seat.section_id or seat.section_id == user.section_id)
        and (not seat.department_id or seat.department_id == user.department_id)
    )


def bodies_of(user):
    """The bodies the user sits on, with the seat's role."""
    from governance.models import Seat

    if not user.is_authenticated:
        return []
    return [(seat.body, seat.role) for seat in Seat.objects.select_related("body") if holds(user, seat)]


def is_member(user, body) -> bool:
    return members_of(body).filter(pk=user.pk).exists()


