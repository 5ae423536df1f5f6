"""The plan's own vocabularies for a project's yearly state (pp.32-33) and the
bodies' judgments."""

from django.db import models


class ImplementationStatus(models.TextChoices):
    """実施状況 (表4-2)"""

    COMPLETED = "completed", "完了"
    CONTINUING = "continuing", "継続"
    POSTPONED = "postponed", "見送り"
    DISCONTINUED = "discontinued", "中止/廃止"
    NOT_STARTED = "not_started", "未実施"


class Progress(models.TextChoices):
    """進捗度 (表4-3)"""

    ON_PLAN = "on_plan", "○ 計画どおり"
    BEHIND = "behind", "△ 計画を下回っている"
    NOT_DONE = "not_done", "× 未実施"
    NOT_RATED = "not_rated", "- 評価対象外"


class Direction(models.TextChoices):
    """今後の方向性 (表4-4)"""

    COMPLETE = "complete", "完了"
    CONTINUE = "continue", "継続"
    DISCONTINUE = "discontinue", "中止/廃止"
    UNDECIDED = "undecided", "未定"


class Evaluation(models.TextChoices):
    """情報化推進検討会議の評価: ICT が効果的に活用されているか"""

    A = "A", "A 効果的に活用されている"
    B = "B", "B おおむね活用されているが改善の余地がある"
    C = "C", "C 活用が不十分で見直しが必要"


class Decision(models.TextChoices):
    """情報化戦略本部の判断"""

    EXPAND = "expand", "拡充"
    CONTINUE = "continue", "継続"
    IMPROVE = "improve", "改善・見直し"
    REDUCE = "reduce", "縮小"
    SUSPEND = "suspend", "休止・廃止"
    COMPLETE = "complete", "完了"


class ReportAction(models.TextChoices):
    """The moves of a 実績報告 (governance.cycles.workflow), and 情報推進課's corrections
    of a report past a step (governance.cycles.corrections), which leave its state as it is."""

    SUBMIT = "submit", "提出"
    RETURN = "return", "差戻し"
    CONFIRM = "confirm", "確認"
    EVALUATE = "evaluate", "評価の記録"
    DECIDE = "decide", "判断の記録"
    REFLECT = "reflect", "シートへの反映"
    CORRECT_CONTENT = "correct_content", "内容の訂正"
    CORRECT_EVALUATION = "correct_evaluation", "評価の訂正"
    CORRECT_DECISION = "correct_decision", "判断の訂正"

