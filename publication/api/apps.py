from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The read-only API under /api/ and its tokens: an app of its own (label "api") inside
    publication, so that its table and migrations stay apart from the publishing decision."""

    name = "publication.api"
    label = "api"
    verbose_name = "API"
