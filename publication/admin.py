"""Publication records are read-only in the admin: only publication.services writes them."""

from django.contrib import admin

from publication.models import CyclePublication, PlanPublication, PublicationEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PlanPublication)
class PlanPublicationAdmin(ReadOnlyAdmin):
    list_display = ("plan", "status", "published_on", "withdrawn_on")


@admin.register(CyclePublication)
class CyclePublicationAdmin(ReadOnlyAdmin):
    list_display = ("cycle", "status", "published_on", "withdrawn_on")


@admin.register(PublicationEvent)
class PublicationEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "action", "plan", "cycle", "actor", "reason")
