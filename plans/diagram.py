"""The plan's tree as a diagram, like the printed 図2-3 (情報化施策体系(全体像)):
基本理念 at the left, then one column per level (目標 → 基本方針 → 情報化施策 …),
each item a box with its code and title (long titles wrapped), joined to the
items below it. Any number of levels (1-5). Inline SVG: no fonts or images
fetched; the font is named on the root (inline SVG does not inherit it).
"""

import unicodedata
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from plans.models import Plan, PlanItem

WIDTH = 680
ROOT_WIDTH = 118
GAP = 18  # between columns, where the connectors run
FONT = 9
LINE = 12
PAD = 4
ROW_GAP = 5
HEADER = 22
FONT_FAMILY = "'BIZ UDGothic', 'BIZ UDPGothic', sans-serif"


@dataclass
class Node:
    code: str
    title: str
    depth: int
    reposted: bool = False
    children: list = field(default_factory=list)
    lines: list = field(default_factory=list)
    top: float = 0  # the span of rows the node covers
    span: float = 0

    @property
    def label(self):
        return f"{self.code} {self.title}{'(再掲)' if self.reposted else ''}"

    @property
    def box_height(self):
        return len(self.lines) * LINE + 2 * PAD

    @property
    def box_top(self):
        return self.top + (self.span - self.box_height) / 2


def _units(char: str) -> float:
    return 1.0 if unicodedata.east_asian_width(char) in "WFA" else 0.55


def wrap(text: str, width_units: float) -> list[str]:
    """`text` in lines of at most `width_units` (a full-width character is 1)."""
    lines, line, used = [], "", 0.0
    for char in text:
        if used + _units(char) > width_units and line:
            lines.append(line.rstrip())
            line, used = ("", 0.0) if char == " " else (char, _units(char))
            continue
        line += char
        used += _units(char)
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def nodes_of(plan: Plan) -> list[Node]:
    """The plan's items as a tree of Nodes (one query)."""
    rows = (PlanItem.objects.filter(plan=plan).order_by("sort_key")
            .values_list("path", "code", "title", "reposted_from_id"))
    by_path, top = {}, []
    for path, code, title, reposted in rows:
        node = Node(code, title, path.count("-") + 1, reposted is not None)
        by_path[path] = node
        parent = by_path.get(path.rpartition("-")[0]) if "-" in path else None
        (parent.children if parent else top).append(node)
    return top


def svg(plan: Plan, top: list[Node] | None = None, *, uid: str = "plan-diagram") -> SafeString:
    """The diagram of `plan` as SVG markup (every text escaped here)."""
    top = nodes_of(plan) if top is None else top
    levels = [level.name for level in plan.level_list] or ["項目"]
    columns = len(levels)
    column_width = (WIDTH - ROOT_WIDTH - GAP * columns) / columns
    chars = (column_width - 2 * PAD) / FONT

    def measure(node):
        node.lines = wrap(node.label, chars)
        for child in node.children:
            measure(child)

    def place(node, y):
        start = y
        for child in node.children:
            y = place(child, y)
        covered = y - ROW_GAP - start if node.children else 0
        node.top, node.span = start, max(covered, node.box_height)
        return start + node.span + ROW_GAP

    for node in top:
        measure(node)
    y = HEADER + 4
    for node in top:
        y = place(node, y)
    root_lines = [*wrap(plan.philosophy or "基本理念", (ROOT_WIDTH - 2 * PAD) / FONT)]
    if plan.philosophy_subtitle:
        root_lines += wrap(plan.philosophy_subtitle, (ROOT_WIDTH - 2 * PAD) / FONT)
    height = max(y, HEADER + 4 + len(root_lines) * LINE + 2 * PAD + ROW_GAP) + 2
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="plan-diagram" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="100%" role="img" aria-labelledby="{uid}-title" font-family="{FONT_FAMILY}" '
        f'font-size="{FONT}">',
        f'<title id="{uid}-title">{escape(plan.name)} 情報化施策体系(全体像)</title>',
    ]
    # Column headings: 基本理念, then each level's name.
    out.append(_text(ROOT_WIDTH / 2, 14, ["基本理念"], anchor="middle", bold=True))
    for index, name in enumerate(levels):
        x = ROOT_WIDTH + GAP + index * (column_width + GAP)
        out.append(_text(x + column_width / 2, 14, [name], anchor="middle", bold=True))
    body_top, body_height = HEADER + 4, height - HEADER - 6
    out.append(f'<rect x="0.5" y="{body_top}" width="{ROOT_WIDTH - 1}" height="{body_height:.1f}" '
               'fill="#eef0fb" stroke="#0017c1" stroke-width="1"/>')
    root_y = body_top + (body_height - len(root_lines) * LINE) / 2
    out.append(_text(ROOT_WIDTH / 2, root_y + FONT, root_lines, anchor="middle", bold=True))
    for node in top:
        out.append(_connector(ROOT_WIDTH, body_top + body_height / 2, node, 0, column_width))
        _draw(node, out, column_width)
    out.append("</svg>")
    # Safe: every text above went through escape(); the rest is our own markup.
    return mark_safe("".join(out))  # noqa: S308


def _x(depth: int, column_width: float) -> float:
    return ROOT_WIDTH + GAP + (depth - 1) * (column_width + GAP)


def _draw(node: Node, out: list, column_width: float) -> None:
    x, y = _x(node.depth, column_width), node.box_top
    last = not node.children
    fill = "#ffffff" if last else "#f2f2f2"
    out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{column_width:.1f}" height="{node.box_height}" '
               f'fill="{fill}" stroke="#4d4d4d" stroke-width="0.8"/>')
    out.append(_text(x + PAD, y + PAD + FONT, node.lines, bold=not last, code=node.code))
    for child in node.children:
        out.append(_connector(x + column_width, y + node.box_height / 2, child, node.depth, column_width))
        _draw(child, out, column_width)


def _connector(x0: float, y0: float, child: Node, depth: int, column_width: float) -> str:
    x1 = _x(child.depth, column_width)
    y1 = child.box_top + child.box_height / 2
    middle = x1 - GAP / 2
    return (f'<path d="M{x0:.1f} {y0:.1f} H{middle:.1f} V{y1:.1f} H{x1:.1f}" fill="none" '
            'stroke="#4d4d4d" stroke-width="0.8"/>')


def _text(x: float, y: float, lines: list[str], *, anchor: str = "start", bold: bool = False, code: str = "") -> str:
    weight = ' font-weight="bold"' if bold else ""
    spans = "".join(
        f'<tspan x="{x:.1f}" dy="{0 if index == 0 else LINE}">{escape(line)}</tspan>'
        for index, line in enumerate(lines)
    )
    data = f' data-code="{escape(code)}"' if code else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{weight}{data}>{spans}</text>'
