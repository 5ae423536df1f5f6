from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import AuditEntry, Department, Section, User, UserSession
from core.admin import ReadOnlyAdmin


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0
    fields = ["code", "name", "sort_order", "is_active"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "sort_order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]
    ordering = ["sort_order", "code"]
    inlines = [SectionInline]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "department", "code", "sort_order", "is_active"]
    list_filter = ["department", "is_active"]
    list_select_related = ["department"]
    search_fields = ["name", "code", "department__name"]
    ordering = ["department__sort_order", "sort_order"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "section", "position", "is_active"]
    list_filter = ["position", "department", "groups", "is_active", "is_staff"]
    list_select_related = ["section__department"]
    search_fields = ["username", "last_name", "first_name", "email", "section__name"]
    ordering = ["username"]
    fieldsets = BaseUserAdmin.fieldsets + (
        ("所属と職", {"fields": ["department", "section", "position"]}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        ("所属と職", {"fields": ["last_name", "first_name", "department", "section", "position"]}),
    )

    @admin.display(description="氏名")
    def display_name(self, obj):
        return obj.display_name


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read only for everyone, superusers included: the log is written by the
    application alone (accounts.audit)."""

    list_display = ["occurred_at", "kind", "username", "ip_address", "path", "detail"]
    list_filter = ["kind", "occurred_at"]
    search_fields = ["username", "ip_address", "detail"]
    date_hierarchy = "occurred_at"
    list_select_related = ["user"]


@admin.register(UserSession)
class UserSessionAdmin(admin.ModelAdmin):
    """Who is signed in until when; a superuser may end a session by deleting it.
    The session data itself is never shown."""

    list_display = ["user", "expire_date"]
    list_select_related = ["user"]
    fields = ["user", "expire_date"]
    readonly_fields = fields
    search_fields = ["user__username", "user__last_name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
