from django.shortcuts import redirect


def home(request):
    """The start page; for now the plan tree."""
    return redirect("plans:plan_tree_current")


def csrf_failure(request, reason=""):
    """A Japanese page instead of Django's English CSRF explanation."""
    from django.shortcuts import render

    return render(request, "403_csrf.html", status=403)
