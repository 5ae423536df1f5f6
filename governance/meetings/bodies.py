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



def presiding_over(meeting):
    """The chair presides; when the chair is absent (not among the attendees) or
    the post is vacant, the vice-chair acts (要綱 第4条)."""
    attendees = set(meeting.attendees.values_list("pk", flat=True))
    for role in (SeatRole.CHAIR, SeatRole.VICE_CHAIR):
        holder = holders_of(meeting.body, role).first()
        if holder and holder.pk in attendees:
            return holder, role
    return None, None
