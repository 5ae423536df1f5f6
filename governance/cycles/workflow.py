"""The 実績報告 workflow as a table: state × action → (next state, who may).

Every move goes through governance.cycles.services.move_report, which locks the row,
checks this table and the actor, changes the state and writes a ReportEvent in
one transaction. Evaluations and decisions are entered by the bodies'
secretariat (事務局 = 情報推進課) and carry the meeting they were made in.
"""

from django.db.models import TextChoices

from accounts.permissions import is_ict_office, works_in_section
from governance.models import ReportState as S
from governance.vocab import ReportAction


class Actor(TextChoices):
    DEPARTMENT = "department", "担当課"
    ICT_OFFICE = "ict_office", "情報推進課(事務局)"


Action = ReportAction


TRANSITIONS = {
    S.DRAFT: {Action.SUBMIT: (S.SUBMITTED, Actor.DEPARTMENT)},
    S.RETURNED: {Action.SUBMIT: (S.SUBMITTED, Actor.DEPARTMENT)},
    S.SUBMITTED: {
        Action.RETURN: (S.RETURNED, Actor.ICT_OFFICE),
        Action.CONFIRM: (S.CONFIRMED, Actor.ICT_OFFICE),
    },
    S.CONFIRMED: {Action.EVALUATE: (S.EVALUATED, Actor.ICT_OFFICE)},
    S.EVALUATED: {Action.DECIDE: (S.DECIDED, Actor.ICT_OFFICE)},
    S.DECIDED: {Action.REFLECT: (S.REFLECTED, Actor.DEPARTMENT)},
    S.REFLECTED: {},
}

# States in which the department may still change the report's content.
EDITABLE_STATES = {S.DRAFT, S.RETURNED}


def is_actor(user, report, actor: Actor) -> bool:
    if actor == Actor.ICT_OFFICE:
        return is_ict_office(user)
    return works_in_section(user, report.section_id)


def allowed_actions(user, report) -> list[Action]:
    """The actions this user may take on the report now (for buttons; the service re-checks)."""
    return [
        action for action, (_, actor) in TRANSITIONS.get(report.state, {}).items()
        if is_actor(user, report, actor)
    ]
