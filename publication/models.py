"""公表: what 情報推進課 has decided citizens may see. A plan (once adopted) and a
review cycle (once the 戦略本部 has decided every report) are published or withdrawn
by publication.services only; each act is a PublicationEvent (who, when, why)."""

from django.conf import settings
from django.db import models
from django.db.models import Q


REASON_LIMIT = 2000


class PublicationStatus(models.TextChoices):
    PUBLISHED = "published", "公表中"
    WITHDRAWN = "withdrawn", "公表を取り下げ"


class PublicationAction(models.TextChoices):
    PUBLISH = "publish", "公表"
    WITHDRAW = "withdraw", "公表の取下げ"


class Publication(models.Model):
    """The present state of one object's publication (the events keep its story)."""

    status = models.CharField("状態", max_length=10, choices=PublicationStatus)
    published_on = models.DateField("公表日")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="公表した人")
    withdrawn_on = models.DateField("取下げ日", null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True,
                                     related_name="+", verbose_name="取り下げた人")
    withdrawal_reason = models.TextField("取下げの理由", max_length=REASON_LIMIT, blank=True)

    class Meta:
        abstract = True

    @property
    def is_public(self) -> bool:
        return self.status == PublicationStatus.PUBLISHED


class PlanPublication(Publication):
    """公表 of a plan: its tree, projects and the public fields of their sheets."""

    plan = models.OneToOneField("plans.Plan", on_delete=models.CASCADE, related_name="publication",
                                verbose_name="計画")

    class Meta:
        verbose_name = "計画の公表"
        verbose_name_plural = "計画の公表"
        constraints = [
            models.CheckConstraint(condition=Q(status="published") | ~Q(withdrawal_reason=""),
                                   name="plan_publication_withdrawal_has_reason"),
        ]

    def __str__(self):
        return f"{self.plan}({self.get_status_display()})"


class CyclePublication(Publication):
    """公表 of a review cycle's results and the 戦略本部's decisions."""

    cycle = models.OneToOneField("governance.ReviewCycle", on_delete=models.CASCADE,
                                 related_name="publication",
                                 verbose_name="進行管理")

    class Meta:
        verbose_name = "進行管理の結果の公表"
        verbose_name_plural = "進行管理の結果の公表"
        constraints = [
            models.CheckConstraint(condition=Q(status="published") | ~Q(withdrawal_reason=""),
                                   name="cycle_publication_withdrawal_has_reason"),
        ]

    def __str__(self):
        return f"{self.cycle}({self.get_status_display()})"


class PublicationEvent(models.Model):
    """One act of publishing or withdrawing: what, who, when and (for a withdrawal) why."""

    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="publication_events", verbose_name="計画")
    cycle = models.ForeignKey("governance.ReviewCycle", on_delete=models.CASCADE, null=True, blank=True,
                              related_name="publication_events", verbose_name="進行管理")
    action = models.CharField("操作", max_length=10, choices=PublicationAction)
    on = models.DateField("日付")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name="操作した人")
    at = models.DateTimeField("日時", auto_now_add=True)
    reason = models.TextField("理由", max_length=REASON_LIMIT, blank=True)

    class Meta:
        verbose_name = "公表の記録"
        verbose_name_plural = "公表の記録"
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(plan__isnull=False) & Q(cycle__isnull=True))
                | (Q(plan__isnull=True) & Q(cycle__isnull=False)),
                name="publication_event_one_target",
            ),
            models.CheckConstraint(condition=Q(action="publish") | ~Q(reason=""),
                                   name="publication_event_withdrawal_has_reason"),
        ]

    def __str__(self):
        return f"{self.plan or self.cycle} {self.get_action_display()}"
