"""The plan book's chapters as pages and the PDF show them: each chapter's blocks
(plans.prose) with anchors for the 目次 and the bookmarks, and the generated
parts filled in with what the caller can draw (the PDF: all of them; the
editor's preview: those of the plans app, the others named in their place)."""

import dataclasses
from dataclasses import dataclass

from django.utils.safestring import SafeString

from plans import prose
from plans.models import PlanChapter

# The 目次 lists sections down to this level (as the printed 目次: 「1.」 and 「4.1」).
TOC_DEPTH = 2


@dataclass
class ChapterView:
    chapter: PlanChapter
    anchor: str
    tag: str  # the chapter title's heading element: h1 in the PDF, h2 on a page
    blocks: list
    sections: list  # the headings the 目次 lists

    @property
    def number(self):
        return self.chapter.number

    @property
    def title(self):
        return self.chapter.title


def chapter_view(chapter: PlanChapter, parts: dict[str, SafeString] | None = None, *, offset: int = 0,
                 blocks: list | None = None) -> ChapterView:
    """`parts` maps a generated part's key (prose.GENERATED) to its markup;
    `offset` 1 makes every heading one level lower (a page that has its own h1)."""
    parts = parts or {}
    anchor = f"ch{chapter.position}"
    placed, count = [], 0
    for block in prose.parse(chapter.body) if blocks is None else blocks:
        if isinstance(block, prose.Heading):
            count += 1
            block = dataclasses.replace(block, anchor=f"{anchor}-{count}", tag=f"h{min(block.level + 1 + offset, 6)}")
        elif isinstance(block, prose.Generated):
            block = dataclasses.replace(block, html=parts.get(block.key))
        placed.append(block)
    sections = [block for block in placed if isinstance(block, prose.Heading) and block.level <= TOC_DEPTH]
    return ChapterView(chapter, anchor, f"h{1 + offset}", placed, sections)


def chapter_views(chapters: list[PlanChapter], draw, *, offset: int = 0) -> list[ChapterView]:
    """Every chapter's view; `draw(key)` gives the markup of a generated part (or
    None), called once for each part the chapters place."""
    parsed = [(chapter, prose.parse(chapter.body)) for chapter in chapters]
    used = {block.key for _, blocks in parsed for block in blocks if isinstance(block, prose.Generated)}
    parts = {key: draw(key) for key in sorted(used)}
    return [chapter_view(chapter, parts, offset=offset, blocks=blocks) for chapter, blocks in parsed]
