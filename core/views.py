from django.shortcuts import redirect


def home(request):
    """The start page; for now the plan tree."""
    return redirect("plans:plan_tree_current")
