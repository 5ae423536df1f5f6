"""Template values every page needs, whoever is signed in."""

from django.conf import settings


def city_name(request):
    """The city that runs the application (settings.CITY_NAME), for headers and footers."""
    return {"city_name": settings.CITY_NAME}
