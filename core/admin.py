"""Admin building blocks shared by the apps."""

from django.contrib import admin

from core import mail
from core.models import OutgoingMail


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record the application alone writes (audit log, workflow events): listed
    and viewed in the admin, never added, changed or deleted there — superusers
    included."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutgoingMail)
class OutgoingMailAdmin(ReadOnlyAdmin):
    """The mails as core.mail recorded them; 情報推進課 resends from メール送信状況."""

    list_display = ["created_at", "status", "recipient", "subject", "cause", "attempts", "sent_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["recipient", "subject", "cause"]
    date_hierarchy = "created_at"
    actions = ["resend"]

    @admin.action(description="選んだ未送信のメールを送信する")
    def resend(self, request, queryset):
        sent, failed = mail.deliver(list(queryset.filter(status__in=mail.UNSENT).values_list("pk", flat=True)))
        self.message_user(request, f"{sent} 通を送信しました。送信できなかったもの {failed} 通。")
