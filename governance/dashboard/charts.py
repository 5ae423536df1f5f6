"""Charts drawn on the server as SVG, for the dashboard page and the PDF books alike.

Colour is never the only carrier of meaning: every segment also has a pattern,
its count is printed when there is room, each bar has a <title>, and every
chart is shown beside a data table. The font is named on the SVG root because
inline SVG does not inherit the page's font in WeasyPrint.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe

FONT = "'BIZ UDPGothic', 'BIZ UDGothic', sans-serif"
# Digital Agency palette steps with enough contrast against white text or patterns.
COLOURS = ["#0017c1", "#259d63", "#e25100", "#767676", "#8843e1", "#ce0000", "#008299"]
PATTERNS = ["solid", "diagonal", "dots", "cross", "vertical", "horizontal", "grid"]


def _pattern_defs(uid):
    defs = []
    for i, (colour, kind) in enumerate(zip(COLOURS, PATTERNS)):
        pid = f"{uid}-p{i}"
        if kind == "solid":
            shape = ""
        elif kind == "diagonal":
            shape = '<path d="M0,8 L8,0" stroke="#fff" stroke-width="2"/>'
        elif kind == "dots":
            shape = '<circle cx="4" cy="4" r="1.6" fill="#fff"/>'
        elif kind == "cross":
            shape = '<path d="M0,0 L8,8 M8,0 L0,8" stroke="#fff" stroke-width="1.5"/>'
        elif kind == "vertical":
            shape = '<path d="M4,0 L4,8" stroke="#fff" stroke-width="2"/>'
        elif kind == "horizontal":
            shape = '<path d="M0,4 L8,4" stroke="#fff" stroke-width="2"/>'
        else:
            shape = '<path d="M0,4 L8,4 M4,0 L4,8" stroke="#fff" stroke-width="1"/>'
        defs.append(
            f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse">'
            f'<rect width="8" height="8" fill="{colour}"/>{shape}</pattern>'
        )
    return "<defs>" + "".join(defs) + "</defs>"


def stacked_bars(title, categories, bars, *, uid="c", width=640, label_width=190, narrow=False):
    """Horizontal 100% stacked bars.

    categories: labels of the segments (a vocabulary's choices, in order).
    bars: [(bar label, [count per category], [url per category] or None)].
    narrow: the phone layout: 360 units wide (drawn about 1:1 on a 390px screen, so
    that its 12-unit text stays 12px), each bar's label on a line of its own above the
    bar and the legend wrapped, rather than the wide chart shrunk to half its size.
    """
    if narrow:
        width, label_width = NARROW_WIDTH, 0
    bar_h, gap, top = 22, 10, 30
    label_h = 18 if narrow else 0  # the label's own line above each bar
    row_h = label_h + bar_h + gap
    legend = Legend(categories, width, uid)
    # A chart with links is not a single image to assistive technology.
    role = "" if any(urls for _, _, urls in bars) else ' role="img"'
    legend_top = top + len(bars) * row_h + 6
    height = legend_top + legend.height + 10
    plot = width - label_width - 50
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg"{role} viewBox="0 0 {width} {height}" '
        f'width="100%" font-family="{FONT}" font-size="12" '
        f'aria-labelledby="{uid}-title">',
        f'<title id="{uid}-title">{escape(title)}</title>',
        _pattern_defs(uid),
    ]
    for row, (label, counts, urls) in enumerate(bars):
        y = top + row * row_h
        total = sum(counts)
        if narrow:
            parts.append(f'<text x="0" y="{y + 13}" fill="#1a1a1a">{escape(_short(label, 28))}</text>')
            y += label_h
        else:
            parts.append(f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end" fill="#1a1a1a">'
                         f'{escape(_short(label, 16))}</text>')
        x = label_width
        for i, count in enumerate(counts):
            if not total or not count:
                continue
            w = plot * count / total
            segment = (
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="url(#{uid}-p{i % 7})" '
                f'stroke="#fff" stroke-width="0.5"><title>{escape(label)}:{escape(categories[i])} {count}件'
                f'</title></rect>'
            )
            if w > 26:
                # A white label under the number keeps it readable on any colour or pattern.
                cx = x + w / 2
                segment += (f'<rect x="{cx - 11:.1f}" y="{y + 4}" width="22" height="14" rx="3" fill="#fff"/>'
                            f'<text x="{cx:.1f}" y="{y + 15}" text-anchor="middle" fill="#1a1a1a" '
                            f'font-weight="bold">{count}</text>')
            url = urls[i] if urls else None
            parts.append(f'<a href="{escape(url)}">{segment}</a>' if url else segment)
            x += w
        parts.append(f'<text x="{label_width + plot + 6}" y="{y + 15}" fill="#4d4d4d">{total}件</text>')
    parts.append(legend.svg(legend_top))
    parts.append(f'<text x="{0 if narrow else 8}" y="18" font-weight="bold" fill="#1a1a1a">{escape(title)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


NARROW_WIDTH = 360


def responsive_bars(title, categories, bars, *, uid="c"):
    """The chart for a page: the wide layout, and the narrow one that a phone shows
    instead (static/css/app.css .chart); the same segments, counts and titles."""
    wide = stacked_bars(title, categories, bars, uid=uid)
    narrow = stacked_bars(title, categories, bars, uid=f"{uid}-narrow", narrow=True)
    return mark_safe(f'<div class="chart"><div class="chart__wide">{wide}</div>'
                     f'<div class="chart__narrow">{narrow}</div></div>')


class Legend:
    """The legend's swatches, wrapped into as many lines as the width needs."""

    line_h = 20

    def __init__(self, categories, width, uid):
        self.items, x, line = [], 8, 0
        for i, category in enumerate(categories):
            step = 26 + 13 * len(category)
            if x > 8 and x + step - 12 > width:
                x, line = 8, line + 1
            self.items.append((x, line, i, category))
            x += step
        self.uid, self.height = uid, (line + 1) * self.line_h

    def svg(self, top):
        return "".join(
            f'<rect x="{x}" y="{top + line * self.line_h}" width="14" height="14" fill="url(#{self.uid}-p{i % 7})"/>'
            f'<text x="{x + 18}" y="{top + line * self.line_h + 12}" fill="#1a1a1a">{escape(category)}</text>'
            for x, line, i, category in self.items)


def _short(text, limit):
    return text if len(text) <= limit else text[: limit - 1] + "…"
