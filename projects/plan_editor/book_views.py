"""計画書の本文 (情報推進課 only): the plan book's chapters — the list with add,
reorder and delete, and one chapter's text with a help of the markup and a
preview drawn by the book's own template (templates/plans/includes/_chapter.html).

Every change goes through projects.authoring.apply, so it is recorded in the
plan's history (who, when, what) and can be undone there. A refused change
answers 400 with what was typed still in the form and the reason at the top.
"""

from django.contrib import messages
from django.db.models.functions import Length
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from core.busy import keep_input
from plans import book, diagram, prose
from plans.models import PlanChapter
from projects import authoring
from projects.plan_editor.book_forms import AddChapterForm, ChapterForm, DeleteChapterForm, StepChapterForm
from projects.plan_editor.views import PlanAuthorMixin


def chapter_list(plan):
    """The plan's chapters with their length, without their texts (two queries whatever their number)."""
    return list(plan.chapters.select_related("updated_by").annotate(chars=Length("body")).defer("body")
                .order_by("position"))


class BookView(PlanAuthorMixin, View):
    template_name = "projects/plan_editor/book.html"

    def render_page(self, add_form=None, status=200):
        return render(self.request, self.template_name, {
            "plan": self.plan, "chapters": chapter_list(self.plan), "add_form": add_form or AddChapterForm(),
            "generated": prose.GENERATED,
        }, status=status)

    def get(self, request, plan):
        return self.render_page()

    def post(self, request, plan):
        """Add a chapter (then open it), move one up or down, or delete one."""
        action = request.POST.get("action", "")
        form_class = {"add": AddChapterForm, "step": StepChapterForm, "delete": DeleteChapterForm}.get(action)
        if form_class is None:
            return HttpResponseBadRequest("操作の種類が正しくありません。")
        form = form_class(request.POST)
        if not form.is_valid():
            messages.error(request, "入力内容に誤りがあります。各項目のメッセージを確認してください。")
            return self.render_page(add_form=form if action == "add" else None, status=400)
        keep_input(request, lambda: self.render_page(add_form=form if action == "add" else None))
        try:
            op = form.operation(self._position(form)) if action == "step" else form.operation()
            edit = authoring.apply(self.plan, request.user, op)
        except authoring.Unchanged as unchanged:
            messages.info(request, f"{unchanged}保存はしていません。")
        except authoring.StructureError as error:
            messages.error(request, f"変更できませんでした:{error}")
            return self.render_page(add_form=form if action == "add" else None, status=400)
        else:
            messages.success(request, f"保存しました:{edit.summary}(計画の編集画面の「元に戻す」で取り消せます)")
            if action == "add":
                return redirect("plan_editor:chapter_edit", plan=self.plan.code, chapter=int(edit.focus.split("-")[1]))
        return redirect("plan_editor:book", plan=self.plan.code)

    def _position(self, form) -> int:
        chapter = self.plan.chapters.filter(pk=form.cleaned_data["chapter"]).only("position").first()
        if chapter is None:
            raise authoring.StructureError("指定された章が見つかりません。画面を読み込み直してください。")
        return chapter.position


class ChapterEditView(PlanAuthorMixin, View):
    """One chapter: its number, title and text (the markup), a preview, and save."""

    template_name = "projects/plan_editor/chapter_form.html"

    def chapter(self):
        return get_object_or_404(PlanChapter, plan=self.plan, pk=self.kwargs["chapter"])

    def render_page(self, chapter, form, *, preview_of=None, status=200):
        shown = preview_of or chapter
        draft = PlanChapter(plan=self.plan, position=chapter.position, number=shown.number, title=shown.title,
                            body=shown.body)
        # The preview draws what the plans app can (the diagram); the other parts are named in their place.
        view = book.chapter_views([draft], self._draw, offset=1)[0]
        return render(self.request, self.template_name, {
            "plan": self.plan, "chapter": chapter, "form": form, "view": view, "previewing": preview_of is not None,
            "generated": prose.GENERATED,
        }, status=status)

    def _draw(self, key):
        return diagram.svg(self.plan, uid="preview-diagram") if key == "diagram" else None

    def get(self, request, plan, chapter):
        chapter = self.chapter()
        form = ChapterForm(initial={"number": chapter.number, "title": chapter.title, "body": chapter.body,
                                    "version": chapter.version})
        return self.render_page(chapter, form)

    def post(self, request, plan, chapter):
        chapter = self.chapter()
        form = ChapterForm(request.POST)
        previewing = request.POST.get("action") == "preview"
        if not form.is_valid():
            done = "プレビューできませんでした" if previewing else "保存できませんでした"
            messages.error(request, f"{done}。本文などのメッセージを確認してください(入力した内容はそのまま残しています)。")
            return self.render_page(chapter, form, status=400)
        if previewing:
            data = form.cleaned_data
            typed = PlanChapter(number=data["number"], title=data["title"], body=data["body"])
            return self.render_page(chapter, form, preview_of=typed)
        keep_input(request, lambda: self.render_page(chapter, form))
        try:
            edit = authoring.apply(self.plan, request.user, form.operation(chapter))
        except authoring.Unchanged as unchanged:
            messages.info(request, f"{unchanged}保存はしていません。")
        except authoring.StructureError as error:
            messages.error(request, f"保存できませんでした:{error}")
            return self.render_page(chapter, form, status=400)
        else:
            messages.success(request, f"保存しました:{edit.summary}(計画の編集画面の「元に戻す」で取り消せます)")
        return redirect("plan_editor:chapter_edit", plan=self.plan.code, chapter=chapter.pk)
