"""The plan book's markup (plans.prose): each construct, and what is refused."""

import pytest
from django.core.exceptions import ValidationError

from plans import prose
from plans.prose import BulletList, Caption, Figure, Generated, Heading, Paragraph, Table


def test_headings_at_three_levels_keep_the_numbering_as_written():
    blocks = prose.parse("# 1. 計画策定における基本的な考え方\n## 4.1 ICT ガバナンスの強化\n### (1) 組織的・人的対策")
    assert blocks == [Heading(1, "1. 計画策定における基本的な考え方"), Heading(2, "4.1 ICT ガバナンスの強化"),
                      Heading(3, "(1) 組織的・人的対策")]


def test_lines_of_a_paragraph_are_joined_without_a_space_and_blank_lines_separate_paragraphs():
    body = "本市は、「住民サービス向上」や\n「地域の活性化」を視野に入れました。\n\n次の段落です。"
    assert prose.parse(body) == [Paragraph("本市は、「住民サービス向上」や「地域の活性化」を視野に入れました。"),
                                 Paragraph("次の段落です。")]


def test_consecutive_dash_lines_make_one_list_and_numbered_lines_stay_text():
    body = "- ① 評価\n- ② 実行性\n- ③ 柔軟性\n\n1. 計画策定における基本的な考え方"
    blocks = prose.parse(body)
    assert blocks[0] == BulletList(("① 評価", "② 実行性", "③ 柔軟性"))
    assert blocks[1] == Paragraph("1. 計画策定における基本的な考え方")


def test_an_indented_line_continues_the_list_item():
    assert prose.parse("- 情報化推進体制の強化\n  (情報セキュリティリーダーの新設)") == [
        BulletList(("情報化推進体制の強化(情報セキュリティリーダーの新設)",))]


def test_a_table_with_a_caption_and_a_header_row():
    body = ": 表 1-1 本市における情報化の推進体制一覧\n| № | 組織名等 | 体制 |\n|---|---|---|\n| 1 | 情報化戦略本部 | 本部長:CIO(副市長) |\n| 6 | 事務局 |"
    [table] = prose.parse(body)
    assert table == Table(rows=(("1", "情報化戦略本部", "本部長:CIO(副市長)"), ("6", "事務局", "")),
                          header=("№", "組織名等", "体制"), caption="表 1-1 本市における情報化の推進体制一覧")
    assert table.width == 3


def test_a_table_without_separator_has_no_header():
    [table] = prose.parse("| 企画部企画政策課長 |\n| 企画部財政課長 |")
    assert table.header is None and table.rows == (("企画部企画政策課長",), ("企画部財政課長",))


def test_a_figure_the_data_cannot_draw_has_its_caption_and_description():
    [figure] = prose.parse("!図 1-1 本計画策定における基本的な考え方 | 第一の柱と第二の柱")
    assert figure == Figure("図 1-1 本計画策定における基本的な考え方", "第一の柱と第二の柱")


def test_generated_parts_alone_on_their_line_with_an_optional_caption():
    blocks = prose.parse(": 図 2-3 情報化施策体系(全体像)\n{{施策体系図}}\n\n{{ 推進体制 }}\n{{施策体系}}")
    assert blocks == [Generated("施策体系図", "diagram", "図 2-3 情報化施策体系(全体像)"),
                      Generated("推進体制", "bodies"), Generated("施策体系", "hierarchy")]


def test_a_caption_with_nothing_under_it_is_printed_alone():
    assert prose.parse(": 図 3-3 情報化推進スケジュール(案)\n\n本文") == [
        Caption("図 3-3 情報化推進スケジュール(案)"), Paragraph("本文")]


def test_a_paragraph_ends_where_a_heading_list_or_table_starts():
    blocks = prose.parse("前文\n# 1. 見出し\n本文\n- 項目\n| a |")
    assert [block.kind for block in blocks] == ["paragraph", "heading", "paragraph", "list", "table"]


def test_windows_line_ends_are_read_as_lines():
    assert prose.parse("# 1. 見出し\r\n本文\r\n") == [Heading(1, "1. 見出し"), Paragraph("本文")]


def test_text_with_japanese_angle_brackets_is_allowed():
    prose.validate("目的 <対象者、対象物> と <目標> を記載します。a < b")


@pytest.mark.parametrize("body", [
    "<script>alert(1)</script>",
    "本文 <b>太字</b>",
    "</p>",
    "<!-- comment -->",
    "<img src=x onerror=alert(1)>",
    "- [リンク](javascript:alert(1))",
    "| JavaScript:void(0) |",
])
def test_html_or_script_is_refused_with_a_clear_message(body):
    with pytest.raises(ValidationError) as refused:
        prose.validate(body)
    assert "HTML やスクリプトは書けません" in refused.value.messages[0]
    assert refused.value.messages[0].startswith("1 行目:")


def test_an_unknown_generated_part_is_refused_listing_the_known_ones():
    with pytest.raises(ValidationError) as refused:
        prose.validate("本文\n{{施策一覧}}")
    message = refused.value.messages[0]
    assert message.startswith("2 行目:「{{施策一覧}}」は使えません")
    for name in ("{{施策体系図}}", "{{施策体系}}", "{{推進体制}}", "{{別表}}", "{{調査表}}"):
        assert name in message


def test_a_generated_part_inside_a_paragraph_is_refused():
    with pytest.raises(ValidationError, match="単独で"):
        prose.validate("図は {{施策体系図}} のとおり")


def test_chapter_separators_and_deep_headings_are_refused():
    with pytest.raises(ValidationError) as refused:
        prose.validate("=== 第2章 | 題名\n#### 深い見出し")
    assert len(refused.value.messages) == 2


def test_many_problems_are_summarised():
    with pytest.raises(ValidationError) as refused:
        prose.validate("\n".join("<b>x</b>" for _ in range(8)))
    assert refused.value.messages[-1] == "ほか 3 件"


def test_a_list_that_writes_its_own_marks_is_printed_without_bullets():
    from plans.prose import parse

    (marked,) = parse("- ・1 年間にインターネットを利用した人\n- ・スマートフォンの保有")
    (numbered,) = parse("- ① 評価\n- ② 実行性")
    (plain,) = parse("- 評価\n- 実行性")
    assert marked.marked and numbered.marked and not plain.marked
