"""The second plan as loaded must be the plan as printed (pp.5, 15-24, 別表 p.52).

The expectations below were written by hand from the plan's text
(fixtures/source/second_plan_text.txt), never from fixtures/plans/second.toml.
Each is checked twice: against the database, and against the seed text itself,
so that a typo in this table fails too.

Project entries are written exactly as the plan prints them in a measure's
【主な事業や取り組み】 list, marks included: 「(再掲)」, 〔予定事業〕 and
「(平成26年度~)」. A string in 〔…〕 on its own names the security group of the
entries after it (Ⅱ-3-1 only). Parentheses are half-width, as in the seed text.
"""

import re
import unicodedata

import pytest
from django.conf import settings

from accounts.models import Department, Section
from plans.models import Placement, PlanItem

# ---- Expectations, by hand from the seed text. -----------------------------

PLAN_NAME = "第二期昭島市情報化推進計画"
PLAN_PERIOD = (2016, 2020)  # 平成28年度(2016年度) - 平成32年度(2020年度), p.4
PLAN_PARENT = "第五次昭島市総合基本計画"  # p.4
PHILOSOPHY = "アイシーティ(ICT)で期待に応えます 市民が主役のまちづくり"  # p.5
PHILOSOPHY_SUBTITLE = "〜 e(いい)まち・あきしま 〜"  # p.5, framed as printed
PHILOSOPHY_TEXT = (
    "マイナンバー制度の開始に伴い、個人情報の保護に向けた組織体制の整備や情報セキュリティ"
    "対策の強化を重要課題と位置づけ、情報資産の安全・安心を確保した上で、ICT を有効に利活用"
    "して、更なる住民の利便性の向上、簡素で効率的な市政の実現、魅力あるまちづくりに向けた"
    "取り組みを目指していきます。"
)

# (code, title, subtitle) — p.5 「目標Ⅰ:<title>(<subtitle>)」
GOALS = [
    ("Ⅰ", "市民ニーズに合った e(いい)行政サービスの提供", "顧客としての市民"),
    ("Ⅱ", "市民から信頼される e(いい)行政運営の実現", "株主(納税者)としての市民"),
    ("Ⅲ", "ともに支え合い 未来を育み 活気あふれる e(いい)まちづくりの推進", "まちづくりの主体としての市民"),
]

POLICIES = [
    ("Ⅰ-1", "市民へのタイムリーな情報提供・発信"),
    ("Ⅰ-2", "市民に身近な行政窓口の拡充"),
    ("Ⅰ-3", "個に応じた e 行政サービスの提供"),
    ("Ⅱ-1", "e 行政運営による業務・コストの最適化"),
    ("Ⅱ-2", "e 行政運営による行政の透明性の確保"),
    ("Ⅱ-3", "安全・安心な e 行政運営の推進"),
    ("Ⅲ-1", "ともに支え合う e まちづくり"),
    ("Ⅲ-2", "未来を育む e まちづくり"),
    ("Ⅲ-3", "活気あふれる e まちづくり"),
]
# The PDF text repeats part of this one heading (a wrapped line extracted twice).
PRINTED_POLICY_HEADINGS = {"Ⅰ-1": "市民へのタイムリーな情報提供 情報提供・ 情報提供・発信"}

# (code, title, reposted_from, [entries as printed])
MEASURES = [
    ("Ⅰ-1-1", "ホームページ等による情報提供の拡充", None, [
        "市議会インターネット映像配信サービス",
        "昭島市公式 Twitter(ツイッター)の利用促進",
        "昭島市携帯メール情報サービスによるタイムリーな情報発信",
        "動画制作・発信(市の魅力発信)〔予定事業〕",
    ]),
    ("Ⅰ-1-2", "多様な情報提供手段の最適化", None, [
        "広報紙とホームページの連携強化",
        "ホームページにおけるデジタルブックの利用拡充",
    ]),
    ("Ⅰ-2-1", "身近な行政窓口の拡充", None, [
        "住民票等のコンビニエンスストア交付システム導入〔予定事業〕",
        "市税等のコンビニエンスストア収納の利用促進",
        "市税等のクレジット収納の利用促進",
    ]),
    ("Ⅰ-2-2", "電子行政サービスの拡充", None, [
        "公共施設予約システムの利用促進",
        "東京電子自治体共同運営サービス(電子申請・電子調達)の利用促進",
    ]),
    ("Ⅰ-3-1", "個に応じた情報提供・発信", None, ["マイナポータルを活用した情報提供・発信の検討"]),
    ("Ⅰ-3-2", "「市民の声」の反映推進", None, ["ホームページへの「よくある質問(FAQ)」の掲載"]),
    ("Ⅰ-3-3", "電子行政サービスの拡充", "Ⅰ-2-2", [
        "公共施設予約システムの利用促進(再掲)",
        "東京電子自治体共同運営サービス(電子申請・電子調達)の利用促進(再掲)",
    ]),
    ("Ⅱ-1-1", "業務・システムの最適化", None, [
        "社会保障・税番号制度対応(平成26年度~)",
        "自治体法制執務支援機能の拡充〔予定事業〕",
        "保健福祉総合システム機器更新(平成27年度~)",
        "ネットワーク機器更新〔予定事業〕",
        "戸籍システム機器更新〔予定事業〕",
        "ICT を活用した紙媒体減量の研究",
    ]),
    ("Ⅱ-1-2", "ICTガバナンスの強化", None, [
        "情報化推進体制の強化(情報セキュリティリーダーの新設)",
        "「情報化事業評価シート(仮称)」を活用した進行管理方法と PDCA サイクルの確立",
    ]),
    ("Ⅱ-1-3", "庁内コミュニケーション基盤の強化", None, [
        "コミュニケーションツールを活用した業務知識やノウハウの共有",
        "グループウェアクライアント更新(平成27年度~)",
    ]),
    ("Ⅱ-2-1", "オープンデータの推進", None, ["国の「電子行政オープンデータ戦略」に基づくオープンデータ公開に向けた検討"]),
    ("Ⅱ-3-1", "情報セキュリティの強化", None, [
        "〔組織的・人的対策〕",
        "組織体制の強化(市町村 CSIRT の設置に向けた取り組み)",
        "職員に対する情報セキュリティ研修の継続的実施",
        "情報セキュリティ監査(外部・内部)の実施",
        "情報セキュリティポリシーの適宜見直し",
        "〔技術的対策〕",
        "庁内ネットワークの再構築",
        "職員認証システムの導入",
        "端末監視システムの強化",
        "自治体情報セキュリティクラウドへの接続に向けた取り組み",
        "〔物理的対策〕",
        "情報資産の適切な保護・管理への取り組みの強化",
        "重要機密室へのセキュリティ強化",
    ]),
    ("Ⅱ-3-2", "ICT-BCP(業務継続計画)の見直し", None, [
        "「緊急時対応計画」及び「緊急時対応個別マニュアル」の適宜見直し",
        "「緊急時対応計画」及び「緊急時対応個別マニュアル」に基づく訓練の継続実施",
    ]),
    ("Ⅲ-1-1", "ICT活用による安全・安心の確保", None, [
        "防災行政無線を補完する電話応答サービスの活用",
        "昭島市携帯メール情報サービスによるタイムリーな情報発信(再掲)",
        "「全国瞬時警報システム(J-ALERT)」からの緊急情報提供",
    ]),
    ("Ⅲ-1-2", "ICT活用による健やかな暮らしの支援", None, ["自治体情報アプリなど ICT を利用した情報提供手段の拡充を検討"]),
    ("Ⅲ-1-3", "ICT活用による住民参加・参画・協働の促進", None, ["国の「電子行政オープンデータ戦略」に基づくオープンデータ公開に向けた検討(再掲)"]),
    ("Ⅲ-2-1", "学校教育におけるICT化の推進", None, ["教育用タブレット端末等導入(平成27年度~)"]),
    ("Ⅲ-2-2", "生涯学習におけるICT化の促進", None, ["市民図書館のオンラインデータベース導入〔予定事業〕"]),
    ("Ⅲ-2-3", "地域ICT人材の育成・活用の支援", None, [
        "ICT を活用した団体活動ステップアップ研修への取り組み",
        "中高年パソコン講習会の実施",
        "市民が利用できる ICT インフラの整備促進",
    ]),
    ("Ⅲ-3-1", "ICT活用による地域活性化の支援", None, [
        "国の「電子行政オープンデータ戦略」に基づくオープンデータ公開に向けた検討(再掲)",
        "ICT を活用した「あきしまの水」ブランド事業の PR 活動",
        "市内企業の PR 動画の配信",
        "公共施設予約システムの利用促進(再掲)",
    ]),
]

# 部 and their 課: domain.md §6, the 別表 on p.52 and 総務部情報推進課.
ORGANISATION = [
    ("企画部", ["企画政策課", "財政課"]),
    ("総務部", ["契約管財課", "情報推進課"]),
    ("市民部", ["市民課", "課税課", "納税課", "生活コミュニティ課"]),
    ("保健福祉部", ["生活福祉課", "介護福祉課", "保険年金課"]),
    ("子ども家庭部", ["子ども子育て推進課"]),
    ("環境部", ["環境課"]),
    ("都市整備部", ["管理課"]),
    ("都市計画部", ["都市計画課"]),
    ("水道部", ["業務課"]),
    ("学校教育部", ["庶務課", "指導課"]),
    ("生涯学習部", ["社会教育課"]),
]

# ---- Reading the table -----------------------------------------------------

SECURITY_GROUPS = {"組織的・人的対策": "organisational", "技術的対策": "technical", "物理的対策": "physical"}
ROMAN = {"Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3}
ENTRY_RE = re.compile(r"^(?P<name>.+?)(?P<repost>\(再掲\))?(?P<planned>〔予定事業〕)?(?:\(平成(?P<since>\d+)年度~\))?$")


def ws(text):
    """Comparisons with the database ignore whitespace differences only."""
    return re.sub(r"\s+", "", text)


def entries(measure_code):
    """The measure's printed entries as (name, repost, planned, since_year, security_kind)."""
    printed = next(items for code, _, _, items in MEASURES if code == measure_code)
    result, group = [], ""
    for item in printed:
        if item.startswith("〔") and item[1:-1] in SECURITY_GROUPS:
            group = SECURITY_GROUPS[item[1:-1]]
            continue
        match = ENTRY_RE.match(item)
        since = int(match["since"]) + 1988 if match["since"] else None  # 平成N年度 = 1988+N
        result.append((match["name"], bool(match["repost"]), bool(match["planned"]), since, group))
    return result


def numbers(code):
    goal, *rest = code.split("-")
    return (ROMAN[goal], *map(int, rest))


def expected_project_codes():
    """{name: 事業コード}: home measure numbers and the serial among its home entries."""
    codes = {}
    for code, *_ in MEASURES:
        homes = [entry[0] for entry in entries(code) if not entry[1]]
        for serial, name in enumerate(homes, start=1):
            codes[name] = "-".join(map(str, numbers(code))) + f"-{serial:02d}"
    return codes


# ---- The seed text, normalised: NFKC, CJK radicals mapped, no whitespace. ----

SEED_TEXT_PATH = settings.BASE_DIR / "fixtures" / "source" / "second_plan_text.txt"
RADICALS = str.maketrans({"⺠": "民", "⾏": "行", "⻑": "長"})


def norm(text):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).translate(RADICALS))


SEED = norm(SEED_TEXT_PATH.read_text(encoding="utf-8"))
HEADING_RE = re.compile(r"【情報化施策】|【基本方針】")
PAGE_FOOTER_RE = re.compile(r"\d+第1章.*$")  # 「17 第1章 第3章 …」: page number and running header


def heading_section(marker):
    """The text from a heading marker up to the next 【情報化施策】 or 【基本方針】."""
    start = SEED.index(norm(marker))
    end = HEADING_RE.search(SEED, start + 1)
    return SEED[start + len(norm(marker)) : end.start() if end else len(SEED)]


def printed_list(measure_code):
    """The measure's 【主な事業や取り組み】 list, up to the next heading or page footer."""
    section = heading_section(f"【情報化施策】{measure_code}")
    listing = section.split("【主な事業や取り組み】")[1]
    return PAGE_FOOTER_RE.sub("", listing)


# ---- The table against the seed text ---------------------------------------

MEASURE_CODES = [code for code, *_ in MEASURES]
MEASURE_IDS = ["-".join(map(str, numbers(code))) for code in MEASURE_CODES]  # readable test ids


def test_expectation_table_has_3_goals_9_policies_20_measures_46_projects_52_entries():
    all_entries = [entry for code in MEASURE_CODES for entry in entries(code)]
    assert (len(GOALS), len(POLICIES), len(MEASURES)) == (3, 9, 20)
    assert len({entry[0] for entry in all_entries}) == 46
    assert len(all_entries) == 52
    assert len([entry for entry in all_entries if not entry[1]]) == 46


def test_plan_name_period_and_philosophy_are_printed_in_the_seed_text():
    assert norm(PLAN_NAME) in SEED
    assert norm("平成28年度(2016年度)を初年度とし、平成32年度(2020年度)までの5年間") in SEED
    assert norm(f"「{PLAN_PARENT}」") in SEED
    assert norm(f"基本理念:{PHILOSOPHY}{PHILOSOPHY_SUBTITLE}{PHILOSOPHY_TEXT}") in SEED


@pytest.mark.parametrize("code,title,subtitle", GOALS, ids=["1", "2", "3"])
def test_goal_is_printed_on_page_5(code, title, subtitle):
    assert norm(f"目標{code}:{title}({subtitle})") in SEED


@pytest.mark.parametrize("code,title", POLICIES, ids=[f"{ROMAN[c[0]]}{c[1:]}" for c, _ in POLICIES])
def test_policy_heading_is_printed_in_the_seed_text(code, title):
    heading = heading_section(f"【基本方針】{code}")
    heading = re.sub(r"第\d章", "", heading)  # running page header inside the heading
    assert heading == norm(PRINTED_POLICY_HEADINGS.get(code, title))


@pytest.mark.parametrize("code", MEASURE_CODES, ids=MEASURE_IDS)
def test_measure_heading_is_printed_with_its_title(code):
    _, title, reposted_from, _ = MEASURES[MEASURE_CODES.index(code)]
    section = heading_section(f"【情報化施策】{code}")
    assert section.startswith(norm(title + ("(再掲)" if reposted_from else "")))


@pytest.mark.parametrize("code", MEASURE_CODES, ids=MEASURE_IDS)
def test_measure_list_in_seed_text_is_exactly_the_expected_entries_in_order(code):
    printed = next(items for c, _, _, items in MEASURES if c == code)
    assert printed_list(code) == norm("".join(printed))


# ---- The database against the table ----------------------------------------


@pytest.fixture
def plan(seed):
    return seed["second"]


def loaded_level(plan, depth):
    """The plan's items of one level, in tree order."""
    return [item for item in PlanItem.objects.filter(plan=plan).in_order() if item.depth == depth]


def loaded_measures(plan):
    return loaded_level(plan, 3)


def test_second_plan_has_the_five_levels_of_figure_2_1(plan):
    # 基本理念 → 目標 → 基本方針 → 情報化施策 → 事業 (p.11): three levels between the ends.
    assert [(level.depth, level.name) for level in plan.level_list] == [(1, "目標"), (2, "基本方針"), (3, "情報化施策")]
    assert [level.numbering for level in plan.level_list] == ["roman", "arabic", "arabic"]
    assert plan.master_plan_label == "第五次総合基本計画コード"


def test_plan_name_period_and_philosophy_match_the_seed(plan):
    assert ws(plan.name) == ws(PLAN_NAME)
    assert (plan.start_year, plan.end_year) == PLAN_PERIOD
    assert ws(plan.parent_plan) == ws(PLAN_PARENT)
    assert ws(plan.philosophy) == ws(PHILOSOPHY)
    assert ws(plan.philosophy_subtitle) == ws(PHILOSOPHY_SUBTITLE)
    assert ws(plan.philosophy_text) == ws(PHILOSOPHY_TEXT)


def test_loaded_plan_text_has_no_pdf_radicals_in_place_of_kanji(plan):
    strings = [plan.name, plan.philosophy, plan.philosophy_subtitle, plan.philosophy_text]
    for item in plan.items.all():
        strings += [item.title, item.subtitle, item.text]
    strings += [project.name for project in plan.projects.all()]
    assert [text for text in strings if re.search(r"[\u2e80-\u2fdf]", text)] == []


def test_goals_match_the_seed_in_order(plan):
    loaded = [(goal.code, ws(goal.title), ws(goal.subtitle)) for goal in loaded_level(plan, 1)]
    assert loaded == [(code, ws(title), ws(subtitle)) for code, title, subtitle in GOALS]


def test_policies_match_the_seed_in_order(plan):
    policies = loaded_level(plan, 2)
    assert [(p.code, ws(p.title)) for p in policies] == [(code, ws(title)) for code, title in POLICIES]


def test_measures_match_the_seed_in_order(plan):
    loaded = [
        (m.code, ws(m.title), m.reposted_from.code if m.reposted_from else None) for m in loaded_measures(plan)
    ]
    assert loaded == [(code, ws(title), reposted_from) for code, title, reposted_from, _ in MEASURES]


def test_measure_that_is_itself_a_repost_says_so(plan):
    by_code = {m.code: m for m in loaded_measures(plan)}
    assert by_code["Ⅰ-3-3"].is_repost
    assert by_code["Ⅰ-3-3"].reposted_from == by_code["Ⅰ-2-2"]
    assert [code for code, m in by_code.items() if m.is_repost] == ["Ⅰ-3-3"]


@pytest.mark.parametrize("code", MEASURE_CODES, ids=MEASURE_IDS)
def test_measure_description_is_the_plans_whole_paragraph_of_intent(plan, code):
    measure = next(m for m in loaded_measures(plan) if m.code == code)
    _, title, reposted_from, _ = MEASURES[MEASURE_CODES.index(code)]
    printed_title = norm(title + ("(再掲)" if reposted_from else ""))
    section = heading_section(f"【情報化施策】{code}").split("【主な事業や取り組み】")[0]
    # heading title (printed twice where the PDF repeats it), then the paragraph
    intent = PAGE_FOOTER_RE.sub("", section).removeprefix(printed_title).removeprefix(printed_title)
    assert norm(measure.text) == intent


def loaded_entries(measure):
    placements = measure.placements.select_related("project").order_by("position")
    return [
        (ws(p.project.name), not p.is_home, p.project.is_planned, p.project.since_year, p.project.security_kind)
        for p in placements
    ]


@pytest.mark.parametrize("code", MEASURE_CODES, ids=MEASURE_IDS)
def test_measure_lists_the_printed_entries_in_order_with_their_marks(plan, code):
    measure = next(m for m in loaded_measures(plan) if m.code == code)
    expected = [(ws(name), *flags) for name, *flags in entries(code)]
    assert loaded_entries(measure) == expected
    positions = list(measure.placements.order_by("position").values_list("position", flat=True))
    assert positions == list(range(1, len(expected) + 1))


def test_plan_has_46_projects_and_52_placements(plan):
    assert plan.projects.count() == 46
    assert Placement.objects.filter(project__plan=plan).count() == 52


def test_reposted_entry_is_the_same_project_as_its_home(plan):
    placements = Placement.objects.filter(
        project__plan=plan, project__name="公共施設予約システムの利用促進"
    ).select_related("item")
    assert sorted((p.item.code, p.is_home) for p in placements) == [
        ("Ⅰ-2-2", True), ("Ⅰ-3-3", False), ("Ⅲ-3-1", False)
    ]
    assert len({p.project_id for p in placements}) == 1


def test_every_repost_entry_is_the_project_of_its_home_entry(plan):
    placements = list(Placement.objects.filter(project__plan=plan).select_related("project", "item")
                      .order_by("item__sort_key", "position"))
    home_of = {ws(p.project.name): p.project_id for p in placements if p.is_home}
    reposts = [(p.item.code, ws(p.project.name), p.project_id) for p in placements if not p.is_home]
    expected = [(code, ws(name)) for code in MEASURE_CODES for name, repost, *_ in entries(code) if repost]
    assert [(code, name) for code, name, _ in reposts] == expected
    for _, name, project_id in reposts:
        assert home_of[name] == project_id


def test_each_project_has_exactly_one_home_placement(plan):
    for project in plan.projects.all():
        assert project.placements.filter(is_home=True).count() == 1, project.name


def test_project_codes_follow_home_measure_and_serial_rule(plan):
    loaded = {ws(p.name): p.code for p in plan.projects.all()}
    assert loaded == {ws(name): code for name, code in expected_project_codes().items()}
    assert plan.projects.get(code="2-3-1-04").name == "情報セキュリティポリシーの適宜見直し"
    for project in plan.projects.all():
        home = project.placements.get(is_home=True).item
        assert project.code.startswith(home.path + "-"), project


def test_project_codes_are_unique_within_the_plan(plan):
    codes = list(plan.projects.values_list("code", flat=True))
    assert len(codes) == len(set(codes)) == 46


# ---- The organisation ------------------------------------------------------


def test_organisation_names_are_printed_in_the_seed_text():
    for department, sections in ORGANISATION:
        for section in sections:
            assert norm(department + section) in SEED, department + section


def test_departments_and_sections_of_the_plan_exist_with_their_parent(seed):
    loaded = {(s.department.name, s.name) for s in Section.objects.select_related("department")}
    for department, sections in ORGANISATION:
        assert Department.objects.filter(name=department).exists(), department
        for section in sections:
            assert (department, section) in loaded, department + section


def test_organisation_has_the_11_departments_and_19_sections_of_the_plan(seed):
    assert sorted(Department.objects.values_list("name", flat=True)) == sorted(d for d, _ in ORGANISATION)
    assert Section.objects.count() == 19 == sum(len(sections) for _, sections in ORGANISATION)
