"""The roles of the plan (domain §1) as auth Groups, kept in step with this code.

A person may hold several roles at once. Later issues grant the workflow rights
through these groups; model permissions here cover the admin and the master data.
"""

from django.db.models import TextChoices


class Role(TextChoices):
    DEPARTMENT_STAFF = "事業担当職員", "事業担当職員(各業務部門)"
    ICT_OFFICE = "情報推進課", "情報推進課(事務局)"
    COMMITTEE = "情報化推進検討会議", "情報化推進検討会議 委員"
    HEADQUARTERS = "情報化戦略本部", "情報化戦略本部 本部員"
    CIO_ADVISOR = "CIO補佐官", "CIO補佐官"
    VIEWER = "閲覧者", "閲覧者(幹部・権限のある職員)"


_PLAN_MODELS = ["plan", "planlevel", "planitem", "planedit", "planchapter", "project", "placement", "masterplancode"]
_ORG_MODELS = ["department", "section"]
_SHEET_MODELS = ["projectsheet", "indicator", "indicatortarget", "scheduleentry"]
_GOVERNANCE_MODELS = ["body", "seat", "meeting", "agendaitem"]
_GOVERNANCE_VIEW = ["reviewcycle", "cycleevent", "annualreport", "indicatorresult", "reportevent", "reminderlog"]


def _view(app, models):
    return [f"{app}.view_{model}" for model in models]


def _manage(app, models):
    return [f"{app}.{verb}_{model}" for model in models for verb in ("add", "change", "delete", "view")]


ROLE_PERMISSIONS = {
    # Department staff edit their own 課's sheets through the application's
    # pages, where the section check is made; they get no admin rights.
    Role.DEPARTMENT_STAFF: _view("plans", _PLAN_MODELS),
    Role.ICT_OFFICE: _manage("plans", _PLAN_MODELS)
    + _manage("accounts", _ORG_MODELS)
    + _manage("projects", _SHEET_MODELS)
    + _manage("governance", _GOVERNANCE_MODELS)
    + _view("governance", _GOVERNANCE_VIEW)
    + ["accounts.view_user", "accounts.view_auditentry"],
    Role.COMMITTEE: _view("plans", _PLAN_MODELS),
    Role.HEADQUARTERS: _view("plans", _PLAN_MODELS),
    Role.CIO_ADVISOR: _view("plans", _PLAN_MODELS),
    Role.VIEWER: _view("plans", _PLAN_MODELS),
}


def sync_role_groups(*, apps=None, using="default", **kwargs):
    """Create the role groups and give each exactly the permissions listed above.

    Runs after every app's migrations (post_migrate); permissions of apps not yet
    migrated are picked up by the later runs.
    """
    from django.contrib.auth.models import Group, Permission

    wanted = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms}
    available = {
        f"{perm.content_type.app_label}.{perm.codename}": perm
        for perm in Permission.objects.using(using).select_related("content_type")
        if f"{perm.content_type.app_label}.{perm.codename}" in wanted
    }
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role.value)
        group.permissions.set([available[p] for p in perms if p in available])
