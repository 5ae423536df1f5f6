"""A plan and its hierarchy: 基本理念 → the plan's own levels → 事業.

Each plan defines its levels (the second plan: 目標 → 基本方針 → 情報化施策; the
first: 目標 → 基本方針 → 基本施策 → 情報化施策) and holds its items as one tree.
Codes are printed as the plan prints them (Ⅱ, Ⅱ-3, Ⅱ-3-1); numbers, paths and
codes are unique by database constraints.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.functional import cached_property

from core import fiscal
from core.constraints import PythonChecks
from plans.querysets import PlanItemQuerySet, PlanQuerySet, ProjectQuerySet

ROMAN = ["", "Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ", "Ⅵ", "Ⅶ", "Ⅷ", "Ⅸ", "Ⅹ", "Ⅺ", "Ⅻ"]

# 事業コード: the home item's numbers and a serial, e.g. 2-3-1-04 is the
# fourth project listed under 情報化施策 Ⅱ-3-1 (at any depth: 2-1-03, 1-2-3-4-01).
PROJECT_CODE_RE = r"^\d{1,3}(-\d{1,3}){0,4}-\d{2,3}$"


class Plan(PythonChecks, models.Model):
    """情報化推進計画: one plan period with its 基本理念."""

    code = models.SlugField("計画コード", max_length=20, unique=True)
    name = models.CharField("計画名", max_length=100)
    start_year = models.PositiveSmallIntegerField("計画期間(開始年度)")
    end_year = models.PositiveSmallIntegerField("計画期間(終了年度)")
    published = models.CharField("策定", max_length=40, blank=True, help_text="例:平成28年(2016年)5月")
    parent_plan = models.CharField("上位計画", max_length=100, blank=True)
    philosophy = models.CharField("基本理念", max_length=200, blank=True)
    philosophy_subtitle = models.CharField("基本理念(副題)", max_length=200, blank=True)
    philosophy_text = models.TextField("基本理念(説明)", blank=True)
    is_current = models.BooleanField(
        "現行計画", default=False, help_text="計画体系の画面で最初に表示する計画です。"
    )
    in_preparation = models.BooleanField(
        "策定中", default=False, help_text="策定中の計画は情報推進課にだけ表示されます。"
    )
    master_plan_label = models.CharField(
        "上位計画のコードの名称", max_length=40, default="総合基本計画コード",
        help_text="情報化事業シートで事業と上位計画を結ぶコードの名称(例:第五次総合基本計画コード)。",
    )
    stated_project_count = models.PositiveSmallIntegerField(
        "計画書に記載の事業数", null=True, blank=True,
        help_text="事業を登録していない計画で、計画書に記載された事業の数(例:第一期計画 55)。",
    )
    short_name = models.CharField(
        "略称", max_length=40, blank=True,
        help_text="後の計画書が呼ぶ名前(例:第一期計画)。表4-2〜4-4 の題名などに使います。",
    )
    predecessor = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="successor_plans",
        verbose_name="前計画", help_text="この計画が引き継いだ計画(第二期計画の前計画は第一期計画)。",
    )
    adopted_on = models.DateField("策定日", null=True, blank=True)
    survey_record = models.JSONField(
        "計画書に記載の事業調査", default=dict, blank=True,
        help_text="事業を登録していない計画の終了時調査の件数(表4-2〜4-4)。"
        "例:{\"implementation\": {\"completed\": 4, …}, \"progress\": {…}, \"direction\": {…}}",
    )

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = "計画"
        verbose_name_plural = "計画"
        ordering = ["-start_year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")), name="plan_period_in_order"
            ),
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="plan_one_current"
            ),
            models.CheckConstraint(
                condition=~Q(is_current=True, in_preparation=True), name="plan_current_not_in_preparation"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("plans:plan_tree", kwargs={"plan": self.code})

    @property
    def era(self):
        """The era the plan was written in: its short year labels use it (「32年度」)."""
        return fiscal.era_of(self.start_year)

    @property
    def years(self):
        return list(range(self.start_year, self.end_year + 1))

    @property
    def period_label(self):
        return fiscal.fy_range(self.start_year, self.end_year)

    @cached_property
    def level_list(self):
        """The plan's levels, top first (one query per plan instance)."""
        return list(self.levels.order_by("depth"))

    @property
    def leaf_level(self):
        return self.level_list[-1] if self.level_list else None


class Numbering(models.TextChoices):
    """How a level writes its numbers in codes (Ⅱ-3-1 or 2-3-1)."""

    ROMAN = "roman", "ローマ数字(Ⅰ, Ⅱ, Ⅲ…)"
    ARABIC = "arabic", "算用数字(1, 2, 3…)"


def format_number(number: int, numbering: str) -> str:
    if numbering == Numbering.ROMAN:
        return roman(number)
    return str(number)


def roman(number: int) -> str:
    """Ⅰ … Ⅻ as single characters (as the plan prints them), then ASCII numerals."""
    if 1 <= number < len(ROMAN):
        return ROMAN[number]
    digits = []
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                           (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while number >= value:
            digits.append(letters)
            number -= value
    return "".join(digits)


def parse_number(text: str) -> int | None:
    """The number of one part of a code: 「Ⅱ」, 「II」, 「2」 or 「２」 → 2; None if unreadable."""
    import unicodedata

    text = unicodedata.normalize("NFKC", text.strip()).upper()
    if text.isdecimal():
        return int(text)
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    if not text or any(c not in values for c in text):
        return None
    total = 0
    for i, c in enumerate(text):
        value = values[c]
        total += -value if i + 1 < len(text) and values[text[i + 1]] > value else value
    return total if unicodedata.normalize("NFKC", roman(total)) == text else None


MAX_LEVELS = 5


def ancestor_paths(path: str) -> list[str]:
    """The paths of the items above the item at `path`, top first: "2-3-1" → ["2", "2-3"]."""
    parts = path.split("-")
    return ["-".join(parts[:n]) for n in range(1, len(parts))]


class PlanLevel(PythonChecks, models.Model):
    """One level of a plan between its 基本理念 and its 事業 (目標, 基本方針, 情報化施策 …)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="levels", verbose_name="計画")
    depth = models.PositiveSmallIntegerField("階層", help_text="1 が基本理念のすぐ下の階層です。")
    name = models.CharField("階層名", max_length=20, help_text="計画書の表記どおり(例:目標、基本方針、情報化施策)。")
    numbering = models.CharField("番号の表記", max_length=10, choices=Numbering, default=Numbering.ARABIC)
    has_text = models.BooleanField("説明文あり", default=False, help_text="この階層の項目に説明の段落があるか。")
    stated_count = models.PositiveSmallIntegerField(
        "計画書に記載の数", null=True, blank=True,
        help_text="項目を登録していない計画で、計画書に記載された数(例:第一期計画の基本施策 16)。",
    )

    class Meta:
        verbose_name = "計画の階層"
        verbose_name_plural = "計画の階層"
        ordering = ["plan", "depth"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "depth"], name="level_unique_depth"),
            models.UniqueConstraint(fields=["plan", "name"], name="level_unique_name"),
            models.CheckConstraint(condition=Q(depth__gte=1, depth__lte=MAX_LEVELS), name="level_depth_range"),
        ]

    def __str__(self):
        return self.name


class PlanItem(PythonChecks, models.Model):
    """One item of a plan's hierarchy: a 目標, 基本方針, 情報化施策 … at its level.

    `number` is the item's place among its siblings (1, 2, 3 … as printed);
    `path` (2-3-1), `code` (Ⅱ-3-1) and `sort_key` are derived from the numbers of
    the item and its ancestors by plans.structure, which alone writes items.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="items", verbose_name="計画")
    level = models.ForeignKey(PlanLevel, on_delete=models.RESTRICT, related_name="items", verbose_name="階層")
    parent = models.ForeignKey(
        "self", on_delete=models.RESTRICT, null=True, blank=True, related_name="children", verbose_name="上位の項目"
    )
    number = models.PositiveSmallIntegerField("番号")
    path = models.CharField("番号の並び", max_length=40, help_text="例:2-3-1")
    code = models.CharField("コード", max_length=60, help_text="例:Ⅱ-3-1")
    sort_key = models.CharField("並び順", max_length=40, editable=False)
    title = models.CharField("名称", max_length=200)
    subtitle = models.CharField("副題", max_length=100, blank=True, help_text="例:顧客としての市民")
    text = models.TextField("説明", blank=True)
    reposted_from = models.ForeignKey(
        "self",
        # RESTRICT: the original cannot be deleted alone, but a whole plan can.
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="reposts",
        verbose_name="再掲元の項目",
        help_text="項目全体が他の項目の再掲である場合(例:Ⅰ-3-3 は Ⅰ-2-2 の再掲)。",
    )

    objects = PlanItemQuerySet.as_manager()

    class Meta:
        verbose_name = "計画の項目"
        verbose_name_plural = "計画の項目"
        ordering = ["plan", "sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "number"], name="item_unique_number"),
            models.UniqueConstraint(
                fields=["plan", "number"], condition=Q(parent__isnull=True), name="item_unique_top_number"
            ),
            models.UniqueConstraint(fields=["plan", "path"], name="item_unique_path"),
            models.UniqueConstraint(fields=["plan", "code"], name="item_unique_code"),
            models.CheckConstraint(condition=Q(number__gte=1), name="item_number_positive"),
            models.CheckConstraint(
                condition=~Q(reposted_from=models.F("pk")), name="item_not_repost_of_itself"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse("plans:item_detail", kwargs={"plan": self.plan.code, "path": self.path})

    @property
    def depth(self):
        return self.path.count("-") + 1

    @property
    def label(self):
        """「目標Ⅰ」: the level's name and the code, as headings print it."""
        return f"{self.level.name}{self.code}"

    @property
    def ancestor_paths(self):
        return ancestor_paths(self.path)

    @property
    def is_repost(self):
        return self.reposted_from_id is not None

    @property
    def hidden_project_count(self):
        """Projects left out where a page lists only the first few (plans.views)."""
        total = getattr(self, "project_count", None)
        return 0 if total is None else total - len(getattr(self, "listed_placements", []))


class SecurityMeasureKind(models.TextChoices):
    """The kinds of security measure the plan groups Ⅱ-3-1's projects by (pp.8-10, 20)."""

    ORGANISATIONAL = "organisational", "組織的・人的対策"
    TECHNICAL = "technical", "技術的対策"
    PHYSICAL = "physical", "物理的対策"


class Project(models.Model):
    """事業: one project of a plan, listed under one or more measures (placements)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="projects", verbose_name="計画")
    code = models.CharField(
        "事業コード",
        max_length=20,
        validators=[RegexValidator(PROJECT_CODE_RE, "事業コードは「1-2-1-01」の形式です。")],
        help_text="主たる掲載項目の番号と連番(例:2-3-1-04 は施策Ⅱ-3-1の4番目の事業)。",
    )
    name = models.CharField("事業名", max_length=200)
    is_planned = models.BooleanField(
        "予定事業", default=False, help_text="計画策定時に未着手の事業。計画書では〔予定事業〕と表示。"
    )
    since_year = models.PositiveSmallIntegerField(
        "開始年度(計画書の表記)",
        null=True,
        blank=True,
        help_text="計画書に「(平成26年度~)」と開始年度が付記されている事業。",
    )
    security_kind = models.CharField(
        "セキュリティ対策の種類", max_length=20, choices=SecurityMeasureKind, blank=True
    )
    items = models.ManyToManyField(
        PlanItem, through="Placement", related_name="projects", verbose_name="掲載項目"
    )

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = "事業"
        verbose_name_plural = "事業"
        ordering = ["plan", "code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="project_unique_code_in_plan"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("plans:project_detail", kwargs={"plan": self.plan.code, "code": self.code})

    @property
    def since_label(self):
        """「平成26年度〜」 as the plan prints it."""
        if self.since_year is None:
            return ""
        return f"{fiscal.fy_era(self.since_year)}〜"


class Placement(models.Model):
    """A project listed under an item of the plan's last level. One placement is
    the project's home; the others are printed 「(再掲)」."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="placements", verbose_name="事業"
    )
    item = models.ForeignKey(
        # RESTRICT: an item that still lists projects cannot be deleted alone.
        PlanItem, on_delete=models.RESTRICT, related_name="placements", verbose_name="掲載項目"
    )
    position = models.PositiveSmallIntegerField("掲載順")
    is_home = models.BooleanField("主たる掲載", default=False)

    class Meta:
        verbose_name = "事業の掲載"
        verbose_name_plural = "事業の掲載"
        ordering = ["item__sort_key", "position"]
        constraints = [
            models.UniqueConstraint(fields=["project", "item"], name="placement_once_per_item"),
            models.UniqueConstraint(fields=["item", "position"], name="placement_unique_in_item"),
            models.UniqueConstraint(
                fields=["project"], condition=Q(is_home=True), name="placement_one_home_per_project"
            ),
        ]

    def __str__(self):
        return f"{self.item.code} {self.project.name}{'' if self.is_home else '(再掲)'}"

    @property
    def is_repost(self):
        return not self.is_home

    def clean(self):
        if self.item.plan_id != self.project.plan_id:
            raise ValidationError({"item": "事業と同じ計画の項目を選んでください。"})


class Fate(models.TextChoices):
    """What becomes of a project when its plan hands over to the next (引継ぎ区分)."""

    CONTINUED = "continued", "継続"
    MERGED = "merged", "統合"
    SPLIT = "split", "分割"
    COMPLETED = "completed", "完了"
    DISCONTINUED = "discontinued", "中止/廃止"
    UNDECIDED = "undecided", "未定"


# The fates that carry a project into the next plan.
CARRIED_FATES = (Fate.CONTINUED, Fate.MERGED, Fate.SPLIT)


class Succession(PythonChecks, models.Model):
    """What became of one project of a plan in the next plan: its fate, why, and the
    projects of the next plan that carry it on (one when continued, the merged
    project when merged, several when split). Written by governance.succession only."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="succession", verbose_name="事業(前計画)"
    )
    next_plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="inherited", verbose_name="次期計画"
    )
    fate = models.CharField("引継ぎ区分", max_length=16, choices=Fate)
    suggested_fate = models.CharField(
        "今後の方向性からの区分", max_length=16, choices=Fate, blank=True,
        help_text="前計画の最新の今後の方向性(最終見直し、なければ最後の年次進行管理)から。",
    )
    reason = models.TextField("理由", max_length=2000, blank=True)
    item = models.ForeignKey(
        PlanItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="次期計画での掲載項目",
    )
    merge_into = models.ForeignKey(
        Project, on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_from",
        verbose_name="統合先の事業(前計画)",
    )
    split_names = models.TextField("分割後の事業名", blank=True, help_text="1行に1事業。")
    successors = models.ManyToManyField(
        Project, blank=True, related_name="predecessor_links", verbose_name="次期計画の事業"
    )
    recorded_at = models.DateTimeField("記録日時", auto_now=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name="記録者",
    )

    class Meta:
        verbose_name = "事業の引継ぎ"
        verbose_name_plural = "事業の引継ぎ"
        ordering = ["project__plan", "project__code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(merge_into=models.F("project")), name="succession_not_merged_into_itself"
            ),
        ]

    def __str__(self):
        return f"{self.project} → {self.get_fate_display()}"

    @property
    def is_carried(self):
        return self.fate in CARRIED_FATES


class MasterPlanCode(models.Model):
    """第五次総合基本計画コード: the city master plan's measures that a project serves (p.11).

    情報推進課 keeps this list; sheets may only pick from it.
    """

    code = models.CharField("施策コード", max_length=20, unique=True)
    title = models.CharField("施策名", max_length=200)
    is_active = models.BooleanField("使用中", default=True)

    class Meta:
        verbose_name = "第五次総合基本計画コード"
        verbose_name_plural = "第五次総合基本計画コード"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.title}"


class PlanEdit(models.Model):
    """One change made to a plan's structure, with who made it, when and how to
    undo it (the inverse operation, run through the same service)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="edits", verbose_name="計画")
    at = models.DateTimeField("日時", auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name="変更者",
    )
    via = models.CharField("方法", max_length=20, default="画面")
    summary = models.CharField("内容", max_length=300)
    inverse = models.JSONField("元に戻す操作", null=True, blank=True)
    undone_at = models.DateTimeField("元に戻した日時", null=True, blank=True)

    class Meta:
        verbose_name = "計画の変更履歴"
        verbose_name_plural = "計画の変更履歴"
        ordering = ["-at", "-pk"]

    def __str__(self):
        return self.summary


class PlanChapter(models.Model):
    """One chapter of the plan book (はじめに, 第1章 総論 … 用語解説集): its prose in
    the markup of plans.prose, with the parts the data draws placed where the
    plan puts them. Written by plans.chapters only."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="chapters", verbose_name="計画")
    position = models.PositiveSmallIntegerField("順番")
    number = models.CharField("章番号", max_length=20, blank=True,
                              help_text="計画書の表記どおり(例:第1章)。はじめに・用語解説集などは空欄。")
    title = models.CharField("章の題名", max_length=200)
    body = models.TextField("本文", blank=True)
    version = models.PositiveIntegerField("版", default=1)
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name="更新者",
    )

    class Meta:
        verbose_name = "計画書の章"
        verbose_name_plural = "計画書の章"
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="chapter_unique_position"),
        ]

    def __str__(self):
        return self.heading

    @property
    def heading(self):
        """「第1章 第二期昭島市情報化推進計画の総論」, or the title alone."""
        return f"{self.number} {self.title}" if self.number else self.title
