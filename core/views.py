from django.shortcuts import redirect


# Where each role starts: executives on the dashboard, 情報推進課 on the cycles,
# department staff on their section's sheets, everyone else on the plan.
START_PAGES = [
    ("情報化戦略本部", "governance:dashboard"),
    ("閲覧者", "governance:dashboard"),
    ("情報推進課", "governance:cycle_list"),
    ("事業担当職員", "projects:sheet_list"),
]


def home(request):
    """The start page of each role."""
    from accounts.permissions import role_names

    names = role_names(request.user)
    for role, url_name in START_PAGES:
        if role in names:
            return redirect(url_name)
    return redirect("plans:plan_tree_current")


def csrf_failure(request, reason=""):
    """A Japanese page instead of Django's English CSRF explanation."""
    from django.shortcuts import render

    return render(request, "403_csrf.html", status=403)
