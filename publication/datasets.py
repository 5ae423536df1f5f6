"""The open datasets, each defined once: its machine column names, Japanese titles,
types and how to read each value. The same definition writes the CSV, the JSON, the
CSVW metadata and the schema page (publication.data_formats, publication.data_views);
the rows come from publication.data_rows, which reads through publication.querysets
only, so a download never holds more than the public pages.

Conventions (the schema page repeats them): codes are the keys (計画コード, 項目の番号の並び,
事業コード); fiscal years are Western integers with an era label beside them
(fiscal_year=2016, fiscal_year_label=平成28年度, named by the era in force at the end of
the year as the national convention: 2019 is 令和元年度); dates are ISO 8601; an empty
cell (JSON null) means no value; the plan's vocabularies are written in Japanese as the
pages show them.
"""

from dataclasses import dataclass
from typing import Callable

from django.conf import settings

from governance.models import CycleKind
from governance.vocab import Decision, Direction, ImplementationStatus, Progress
from projects.models import AchievementMethod, IndicatorKind
from publication import data_rows, rs_layout

LICENCE = {
    "id": "CC-BY-4.0",
    "name": "クリエイティブ・コモンズ 表示 4.0 国際(CC BY 4.0)",
    "url": "https://creativecommons.org/licenses/by/4.0/deed.ja",
}
LICENCE_NOTE = ("政府標準利用規約(第2.0版)と互換性があります。出典を記載すれば、商用利用を含めて自由に"
                "複製・加工・再配布できます。加工した場合は、加工したことも記載してください。")
LIST_SEPARATOR = ";"

TYPES = {
    "string": "文字列",
    "integer": "整数",
    "decimal": "数値(小数点は「.」、桁区切りなし)",
    "date": "日付(YYYY-MM-DD)",
    "boolean": "真偽値(true / false)",
    "list": f"文字列の並び(「{LIST_SEPARATOR}」区切り。JSON では配列)",
}


def attribution() -> str:
    return f"出典:{settings.CITY_NAME} 情報化推進計画 進行管理データ"


@dataclass(frozen=True)
class Column:
    name: str
    title: str
    type: str = "string"
    description: str = ""
    values: tuple = ()  # the allowed values, when the column holds a vocabulary
    required: bool = False

    @property
    def type_label(self):
        return TYPES[self.type]


@dataclass(frozen=True)
class Dataset:
    id: str
    title: str
    description: str
    columns: tuple
    key: tuple
    rows: Callable  # (published plans) -> list of dicts keyed by column name
    sources: tuple  # what its update date follows: "plans", "sheets", "cycles"
    formats: tuple = ("csv", "json")
    # The RS layout heads its columns with the national titles and adds one per year.
    header: str = "name"
    extra_columns: Callable | None = None
    note: str = ""

    def columns_for(self, plans) -> tuple:
        return self.columns + (tuple(self.extra_columns(plans)) if self.extra_columns else ())

    def updated_on(self, dates):
        """The last day its data changed, from data_rows.source_dates."""
        return max(filter(None, (dates[source] for source in self.sources)), default=None)

    def file_name(self, fmt, plan_code=None) -> str:
        stem = f"{plan_code}_{self.id}" if plan_code else self.id
        return f"{stem}.{fmt}"


def _labels(choices):
    return tuple(label for _, label in choices.choices)


PLAN = Column("plan_code", "計画コード", required=True,
              description="計画を表すコード(例:second は第二期計画)。計画のページのアドレスにも使います。")
PROJECT = Column("project_code", "事業コード", required=True,
                 description="計画の中で事業を表すコード(主たる掲載項目の番号と連番。例:1-1-1-02)。")
FISCAL_YEAR = Column("fiscal_year", "年度", "integer", "西暦の年度(4月から翌年3月。例:2016)。", required=True)
FISCAL_YEAR_LABEL = Column("fiscal_year_label", "年度(和暦)", description="例:平成28年度、令和元年度。")
PAGE_URL = Column("page_url", "公開ページ", description="この行を表示する公開ページのアドレス。")
INDICATOR_COLUMNS = (
    PLAN, PROJECT,
    Column("indicator_id", "指標ID", "integer", "指標を表す番号(計画をまたいで一意。名称が変わっても同じ)。",
           required=True),
    Column("indicator_number", "指標の番号", "integer", "事業の中での表示順(1から)。"),
    Column("indicator_name", "指標名"),
    Column("unit", "単位"),
)
TARGET = Column("target_value", "目標値", "decimal", "その年度の目標値。空欄は目標値を設定していない年度。")
METHOD = Column("achievement_method", "達成率の算定方法", values=_labels(AchievementMethod),
                description="目標値に対する割合:実績値÷目標値(下向きの指標は目標値÷実績値)。"
                "基準値からの進捗:(実績値−基準値)÷(目標値−基準値)。")

PLANS = Dataset(
    "plans", "計画", "公表している情報化推進計画の一覧(計画期間、基本理念、施策体系の階層)。",
    columns=(
        PLAN,
        Column("plan_name", "計画名"),
        Column("short_name", "略称", description="後の計画書が呼ぶ名前(例:第一期計画)。"),
        Column("start_year", "計画期間(開始年度)", "integer", "西暦の年度。"),
        Column("start_year_label", "計画期間(開始年度・和暦)"),
        Column("end_year", "計画期間(終了年度)", "integer", "西暦の年度。"),
        Column("end_year_label", "計画期間(終了年度・和暦)"),
        Column("parent_plan", "上位計画"),
        Column("philosophy", "基本理念"),
        Column("philosophy_subtitle", "基本理念(副題)"),
        Column("level_names", "施策体系の階層", "list", "基本理念の下の階層の名前を上から順に(例:目標;基本方針;情報化施策)。"),
        Column("adopted_on", "策定日", "date"),
        Column("adopted", "策定(計画書の表記)", description="計画書に書かれた策定の時期(例:平成28年(2016年)5月)。"
               "日付まで記録していない計画でも入ります。"),
        Column("published_on", "公表日", "date"),
        Column("predecessor_code", "前計画の計画コード", description="引き継いだ計画(公表しているものだけ)。"),
        PAGE_URL,
    ),
    key=("plan_code",), rows=data_rows.plan_rows, sources=("plans",),
)

ITEMS = Dataset(
    "items", "計画の項目", "計画の施策体系の項目(目標・基本方針・情報化施策など)。1 行が 1 項目。",
    columns=(
        PLAN,
        Column("item_path", "項目の番号の並び", required=True,
               description="階層ごとの番号をハイフンでつないだもの(例:2-3-1)。計画の中で一意。"),
        Column("item_code", "項目のコード", description="計画書の表記(例:Ⅱ-3-1)。"),
        Column("level_depth", "階層", "integer", "1 が基本理念のすぐ下の階層。"),
        Column("level_name", "階層名", description="例:目標、基本方針、情報化施策。"),
        Column("label", "表記", description="階層名とコード(例:目標Ⅰ、情報化施策Ⅱ-3-1)。"),
        Column("title", "名称"),
        Column("subtitle", "副題"),
        Column("description", "説明"),
        Column("parent_path", "上位の項目", description="上位の項目の番号の並び。最上位の項目は空欄。"),
        Column("reposted_from_path", "再掲元の項目", description="項目全体が再掲のとき、元の項目の番号の並び。"),
        PAGE_URL,
    ),
    key=("plan_code", "item_path"), rows=data_rows.item_rows, sources=("plans",),
)

PROJECTS = Dataset(
    "projects", "事業", "計画の事業(主な事業や取り組み)と、完成した情報化事業シートの公開項目。1 行が 1 事業。"
    "再掲の事業も 1 行で、掲載しているほかの項目を reposted_item_paths に並べます。",
    columns=(
        PLAN, PROJECT,
        Column("project_name", "事業名"),
        Column("home_item_path", "主たる掲載項目", description="事業を掲載している最下層の項目の番号の並び。"),
        Column("home_item_code", "主たる掲載項目のコード", description="例:Ⅰ-1-1。"),
        Column("reposted_item_paths", "再掲している項目", "list", "「(再掲)」として掲載しているほかの項目の番号の並び。"),
        Column("is_planned", "予定事業", "boolean", "計画策定時に未着手の事業(計画書の〔予定事業〕)。"),
        Column("since_year", "開始年度(計画書の付記)", "integer", "計画書に「(平成26年度~)」と付記された開始年度(西暦)。"),
        Column("security_measure_kind", "セキュリティ対策の種類", values=("組織的・人的対策", "技術的対策", "物理的対策")),
        Column("sheet_published", "シートの公開", "boolean",
               "情報化事業シートが完成し、以下の項目を公開しているか。false の間は以下の列が空欄です。"),
        Column("department_name", "担当部"),
        Column("section_name", "担当課"),
        Column("master_plan_code", "総合基本計画コード", description="事業が位置付けられる上位計画の施策コード。"),
        Column("master_plan_title", "総合基本計画の施策名"),
        Column("legal_basis", "実施根拠"),
        Column("policy_major", "政策項目(大項目)"),
        Column("policy_middle", "政策項目(中項目)"),
        Column("start_year", "事業期間(開始年度)", "integer", "西暦の年度。"),
        Column("end_year", "事業期間(終了年度)", "integer", "西暦の年度。空欄は終了年度を定めない事業。"),
        Column("target", "目的<対象者、対象物>"),
        Column("objective", "目的<目標>"),
        Column("activities", "実施内容"),
        PAGE_URL,
    ),
    key=("plan_code", "project_code"), rows=data_rows.project_rows, sources=("plans", "sheets"),
)

SCHEDULE = Dataset(
    "schedule", "事業のスケジュール", "情報化事業シートのスケジュール(年度ごとの予定と実績)。完成したシートのものだけです。",
    columns=(PLAN, PROJECT, FISCAL_YEAR, FISCAL_YEAR_LABEL,
             Column("planned", "予定"), Column("actual", "実績", description="年度が終わってから記入します。")),
    key=("plan_code", "project_code", "fiscal_year"), rows=data_rows.schedule_rows,
    sources=("plans", "sheets"),
)

INDICATORS = Dataset(
    "indicators", "指標と目標値", "事業の活動指標・成果指標と、計画期間の年度ごとの目標値。1 行が 1 指標の 1 年度です。",
    columns=INDICATOR_COLUMNS + (
        Column("indicator_kind", "指標の種類", values=_labels(IndicatorKind)),
        Column("is_qualitative", "定性的な指標", "boolean", "true の指標は数値の目標・実績を持ちません。"),
        Column("direction", "改善の方向", values=("上向き", "下向き"),
               description="上向き:大きいほど良い。下向き:小さいほど良い。"),
        METHOD,
        Column("baseline_value", "基準値", "decimal"),
        Column("baseline_year", "基準年度", "integer", "西暦の年度。"),
        Column("data_source", "数値の出典"),
        FISCAL_YEAR, FISCAL_YEAR_LABEL, TARGET,
    ),
    key=("indicator_id", "fiscal_year"), rows=data_rows.indicator_rows, sources=("plans", "sheets"),
)

RESULTS = Dataset(
    "results", "年度ごとの実績", "公表した進行管理の結果:事業ごと・年度ごとの実施状況、進捗度、今後の方向性と"
    "情報化戦略本部の判断。1 行が 1 事業の 1 回の進行管理です。指標の実績値は「指標の実績値と達成率」にあります。",
    columns=(
        PLAN, FISCAL_YEAR, FISCAL_YEAR_LABEL,
        Column("review_kind", "進行管理の種類", values=_labels(CycleKind), required=True,
               description="年次進行管理は毎年度、中間見直しと最終見直しは計画期間の 3 年目・5 年目に行います。"),
        PROJECT,
        Column("project_name", "事業名"),
        Column("implementation_status", "実施状況", values=_labels(ImplementationStatus)),
        Column("progress", "進捗度", values=_labels(Progress)),
        Column("direction", "今後の方向性", values=_labels(Direction)),
        Column("decision", "情報化戦略本部の判断", values=_labels(Decision)),
        Column("published_on", "公表日", "date", "この進行管理の結果を公表した日。"),
    ),
    key=("plan_code", "fiscal_year", "review_kind", "project_code"), rows=data_rows.result_rows,
    sources=("plans", "cycles"),
)

INDICATOR_RESULTS = Dataset(
    "indicator-results", "指標の実績値と達成率", "公表した年次進行管理で報告された指標の実績値と、その年度の目標値に"
    "対する達成率。1 行が 1 指標の 1 年度です(実績値のある年度だけ)。",
    columns=INDICATOR_COLUMNS + (
        FISCAL_YEAR, FISCAL_YEAR_LABEL, TARGET,
        Column("actual_value", "実績値", "decimal", required=True),
        Column("achievement_rate", "達成率(%)", "decimal",
               "小数第 1 位に四捨五入した百分率(例:125.0)。負の値は目標から遠ざかったこと(ページでは「△18.0%」)。"
               "算出できないときは空欄で、理由を achievement_text に書きます。"),
        Column("achievement_text", "達成率(表記)", description="ページと同じ表記(例:125.0%、△18.0%、算出不可(目標値が未設定))。"),
        METHOD,
    ),
    key=("indicator_id", "fiscal_year"), rows=data_rows.indicator_result_rows,
    sources=("plans", "sheets", "cycles"),
)

RS_NOTE = ("国の様式の列のうち、アウトカムの期間・定性的なアウトカム目標を設定している理由・定性的なアウトカムに関する"
           "成果実績は、この計画では公開する値がないため空欄です。基準値・基準年度・達成率の算定方法は国の様式にない列で、"
           "右端に加えています。年度の列は、含まれる計画の最初の年度から最後の年度まで 1 年度 1 列です。"
           "区分「1.目標年度」の行には目標値を設定した年度(西暦)を、「4.達成率」の行には小数第 1 位の百分率の数値か、"
           "算出できない理由の文字列を入れます。値のないセルは空欄です。")


def _rs_year_columns(plans):
    return [Column(f"fy{year}", f"{year}年度", "string", f"{year}年度({data_rows.year_label(year)})の値。")
            for year in rs_layout.years(plans)]


RS_INDICATORS = Dataset(
    "rs-indicators", "指標の目標・実績(行政事業レビュー形式)",
    "指標と目標値・実績値・達成率を、国の行政事業レビュー(RS システム)の「効果発現経路_目標・実績」と同じ縦長の形"
    "(1 指標を 区分 1.目標年度・2.目標値・3.実績値・4.達成率 の 4 行で、年度ごとに 1 列)にしたものです。",
    columns=(
        Column("plan_code", "計画コード", required=True, description="この市の計画のコード(国の様式にない列)。"),
        Column("project_code", "事業コード", required=True, description="国の様式の予算事業IDに当たるもの。"),
        Column("project_name", "事業名"),
        Column("department_name", "部"),
        Column("section_name", "課"),
        Column("number", "アクティビティ・アウトプット・アウトカムの番号", "integer", "事業の中での指標の番号。",
               required=True),
        Column("kind", "種別", values=("アウトプット", "アウトカム"), description="活動指標はアウトプット、成果指標はアウトカム。"),
        Column("outcome_term", "アウトカムの期間", description="空欄(この計画では区分していません)。"),
        Column("target_type", "成果目標の種類", values=("定量的", "定性的")),
        Column("goal", "アクティビティ/活動目標/成果目標", description="情報化事業シートの目的<目標>。"),
        Column("indicator_name", "活動指標/成果指標"),
        Column("unit", "単位"),
        Column("direction", "改善の上向き/下向き", values=("上向き", "下向き")),
        Column("data_source", "成果実績及び目標値の根拠として用いた統計・データ名(出典)"),
        Column("qualitative_reason", "定性的なアウトカム目標を設定している理由", description="空欄(公開していません)。"),
        Column("qualitative_result", "定性的なアウトカムに関する成果実績", description="空欄。"),
        Column("baseline_value", "基準値", "decimal", "国の様式にない列。"),
        Column("baseline_year", "基準年度", "integer", "国の様式にない列。西暦の年度。"),
        Column("achievement_method", "達成率の算定方法", values=_labels(AchievementMethod),
               description="国の様式にない列。"),
        Column("row_type", "区分", values=rs_layout.ROW_TYPES, required=True,
               description="1 指標を 4 行で表します。以降の年度の列の値の意味を表します。"),
    ),
    key=("plan_code", "project_code", "number", "row_type"),
    rows=rs_layout.rows, sources=("plans", "sheets", "cycles"), formats=("csv",), header="title",
    extra_columns=_rs_year_columns, note=RS_NOTE,
)

DATASETS = {dataset.id: dataset for dataset in (
    PLANS, ITEMS, PROJECTS, SCHEDULE, INDICATORS, RESULTS, INDICATOR_RESULTS, RS_INDICATORS)}
