"""計画の管理 (情報推進課 only): the list of plans, a new plan, the page that
builds a plan's tree, and the deletion of a plan made by mistake.

Every change is one POST to `apply` (or `undo`), which hands an operation to
projects.authoring. With htmx the answer is the editor's part of the page
(tree and history) and the status line; without JavaScript the same forms post
the whole page and come back by redirect (or with the refused form, 400). A
change that would renumber an adopted plan's codes is refused until sent again
with `confirm` (the page asks first; without JavaScript, a second step).
"""

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from core.busy import keep_input
from plans.models import Plan
from plans.permissions import require_plan_author
from projects import authoring
from projects.plan_editor import editor
from projects.plan_editor.forms import CHANGE_FORMS, PlanForm, PlanSettingsForm, level_formset


class PlanAuthorMixin:
    """情報推進課 only (403 for anyone else, written to the 監査ログ); `self.plan`
    is the plan of the URL, in preparation or not."""

    def dispatch(self, request, *args, **kwargs):
        require_plan_author(request.user)
        if "plan" in kwargs:
            self.plan = get_object_or_404(Plan, code=kwargs["plan"])
        return super().dispatch(request, *args, **kwargs)


class PlanListView(PlanAuthorMixin, TemplateView):
    """計画の管理: every plan, those in preparation marked."""

    template_name = "projects/plan_editor/plan_list.html"

    def get_context_data(self, **kwargs):
        plans = Plan.objects.annotate(
            item_count=Count("items", distinct=True), project_total=Count("projects", distinct=True),
        ).order_by("-in_preparation", "-start_year")
        return super().get_context_data(plans=plans, **kwargs)


class PlanCreateView(PlanAuthorMixin, View):
    template_name = "projects/plan_editor/plan_form.html"

    def render_form(self, form, levels, status=200):
        return render(self.request, self.template_name, {"form": form, "levels": levels, "heading": "新しい計画を作成",
                                                         "submit": "計画を作成"}, status=status)

    def get(self, request):
        return self.render_form(PlanForm(), level_formset())

    def post(self, request):
        form, levels = PlanForm(request.POST), level_formset(request.POST)
        if not (form.is_valid() & levels.is_valid()):
            messages.error(request, "入力内容に誤りがあります。各項目のメッセージを確認してください。")
            return self.render_form(form, levels, status=400)
        keep_input(request, lambda: self.render_form(form, levels))
        try:
            plan = authoring.create_plan(request.user, levels=levels.specs(), **form.cleaned_data)
        except authoring.StructureError as error:
            messages.error(request, f"計画を作成できませんでした:{error}")
            return self.render_form(form, levels, status=400)
        messages.success(request, f"計画「{plan.name}」を作成しました(策定中:情報推進課にだけ表示されます)。"
                                  "続けて施策体系を入力してください。")
        return redirect("plan_editor:editor", plan=plan.code)


class PlanSettingsView(PlanAuthorMixin, View):
    """The plan's own fields and levels, and 策定中 or not: one change in its history."""

    template_name = "projects/plan_editor/plan_form.html"

    def render_form(self, form, levels, status=200, needs_confirm=False):
        return render(self.request, self.template_name, {
            "form": form, "levels": levels, "plan": self.plan, "heading": "計画の情報と階層の編集",
            "submit": "保存", "has_items": self.plan.items.exists(), "needs_confirm": needs_confirm,
            "deletable": authoring.plan_deletion_refusal(self.plan) is None,
        }, status=status)

    def get(self, request, plan):
        form = PlanSettingsForm(initial={name: getattr(self.plan, name) for name in PlanSettingsForm.base_fields})
        levels = level_formset(initial=[{"name": level.name, "numbering": level.numbering, "has_text": level.has_text}
                                        for level in self.plan.level_list])
        return self.render_form(form, levels)

    def post(self, request, plan):
        form, levels = PlanSettingsForm(request.POST), level_formset(request.POST)
        if not (form.is_valid() & levels.is_valid()):
            messages.error(request, "入力内容に誤りがあります。各項目のメッセージを確認してください。")
            return self.render_form(form, levels, status=400)
        keep_input(request, lambda: self.render_form(form, levels))
        try:
            edit = authoring.apply(self.plan, request.user, form.operation(self.plan, levels.specs()),
                                   confirmed=request.POST.get("confirm") == "1")
        except authoring.Unchanged as unchanged:
            messages.info(request, f"{unchanged}保存はしていません。")
        except authoring.NeedsConfirmation as question:
            messages.warning(request, f"まだ保存していません:{question}")
            return self.render_form(form, levels, status=400, needs_confirm=True)
        except authoring.StructureError as error:
            messages.error(request, f"保存できませんでした:{error}")
            return self.render_form(form, levels, status=400)
        else:
            messages.success(request, f"保存しました:{edit.summary}(「元に戻す」で取り消せます)")
        return redirect("plan_editor:editor", plan=self.plan.code)


def editor_url(plan, open_key="", anchor=""):
    url = reverse("plan_editor:editor", kwargs={"plan": plan.code})
    kind, numbers = editor.parse_open(open_key)
    open_key = f"{kind}-{'-'.join(map(str, numbers))}" if kind else ""  # only what parses, rebuilt
    return f"{url}{'?open=' + open_key if open_key else ''}{'#' + anchor if anchor else ''}"


class EditorView(PlanAuthorMixin, View):
    """The tree of one plan with a panel of forms for the item or project opened."""

    def get(self, request, plan):
        return render(request, "projects/plan_editor/editor.html",
                      editor.editor_context(self.plan, open_key=request.GET.get("open", "")))


class PanelView(PlanAuthorMixin, View):
    """The forms of one item or project, for htmx to show under it (else the page with it open)."""

    def get(self, request, plan):
        open_key = request.GET.get("open", "")
        if not request.htmx:
            return redirect(editor_url(self.plan, open_key, editor.anchor_of(open_key)))
        context = editor.editor_context(self.plan, open_key=open_key)
        if context["panel"] is None:
            return render(request, "projects/plan_editor/includes/_panel_gone.html", context)
        return render(request, f"projects/plan_editor/includes/_{context['panel'].kind}_panel.html",
                      {**context, "panel": context["panel"]})


class ChangeView(PlanAuthorMixin, View):
    """Base of the POSTs: answer a change done, unchanged or refused.

    With htmx the message goes where the user is (the open panel, else the row
    changed or pressed) and, for screen readers, into the live region above the
    tree; without JavaScript it comes at the top of the page."""

    action = ""  # the URL name the page's forms post to

    def answer(self, *, text, level, open_key="", focus="", bound=None, status=200, resend=None):
        request = self.request
        message = {"text": text, "level": level, "resend": resend,
                   "action": reverse(self.action, kwargs={"plan": self.plan.code})}
        if request.htmx:
            context = editor.editor_context(self.plan, open_key=open_key, bound=bound, focus=focus, status=message)
            body = render_to_string("projects/plan_editor/includes/_editor.html", context, request=request)
            body += render_to_string("projects/plan_editor/includes/_status.html", {**context, "oob": True},
                                     request=request)
            return HttpResponse(body, status=status)
        if status >= 400:
            context = editor.editor_context(self.plan, open_key=open_key, bound=bound, focus=focus)
            return render(request, "projects/plan_editor/editor.html", {**context, "status": message}, status=status)
        getattr(messages, level)(request, text)
        return redirect(editor_url(self.plan, open_key, editor.anchor_of(focus) or editor.anchor_of(open_key)))

    def resend(self):
        """The posted fields, to send again with `confirm` (the second step without JavaScript)."""
        return [(name, value) for name, values in self.request.POST.lists() for value in values
                if name not in ("csrfmiddlewaretoken", "confirm")]

    @property
    def confirmed(self) -> bool:
        return self.request.POST.get("confirm") == "1"


def _pressed(post) -> str:
    """The row whose button was pressed (↑↓ have no panel): where a refusal is said."""
    if post.get("op") == "step_item":
        return f"item-{post.get('item', '')}"
    if post.get("op") == "step_placement":
        return f"project-{post.get('project', '')}-{post.get('item', '')}"
    return ""


class ApplyView(ChangeView):
    action = "plan_editor:apply"

    def post(self, request, plan):
        form_class = CHANGE_FORMS.get(request.POST.get("op", ""))
        if form_class is None:
            return HttpResponseBadRequest("操作の種類が正しくありません。")
        form = form_class(request.POST)
        open_key, pressed = request.POST.get("open", ""), _pressed(request.POST)
        failed = 422 if request.htmx else 400
        if not form.is_valid():
            return self.answer(text=f"保存できませんでした。{form.first_error()}", level="error",
                               open_key=open_key, focus=pressed, bound=form, status=failed)
        try:
            edit = authoring.apply(self.plan, request.user, form.operation(self.plan), confirmed=self.confirmed)
        except authoring.Unchanged as unchanged:
            return self.answer(text=f"{unchanged}保存はしていません。", level="info", open_key=open_key, focus=pressed)
        except authoring.NeedsConfirmation as question:
            return self.answer(text=f"まだ変更していません:{question}", level="warning", open_key=open_key,
                               focus=pressed, bound=form, status=failed, resend=self.resend())
        except authoring.StructureError as error:
            return self.answer(text=f"変更できませんでした:{error}", level="error", open_key=open_key,
                               focus=pressed, bound=form, status=failed)
        return self.answer(text=f"保存しました:{edit.summary}(「元に戻す」で取り消せます)", level="success",
                           open_key=open_key, focus=edit.focus)


class UndoView(ChangeView):
    action = "plan_editor:undo"

    def post(self, request, plan):
        edit_id = request.POST.get("edit", "")
        if not edit_id.isdecimal():
            return HttpResponseBadRequest("取り消す変更が指定されていません。")
        failed = 422 if request.htmx else 400
        try:
            edit = authoring.undo(self.plan, request.user, int(edit_id), confirmed=self.confirmed)
        except authoring.NeedsConfirmation as question:
            return self.answer(text=f"まだ元に戻していません:{question}", level="warning", status=failed,
                               resend=self.resend())
        except authoring.StructureError as error:
            return self.answer(text=f"元に戻せませんでした:{error}", level="error", status=failed)
        return self.answer(text=f"元に戻しました:{edit.summary.removeprefix('元に戻す:')}", level="success",
                           focus=edit.focus)


class PlanDeleteView(PlanAuthorMixin, View):
    """「この計画を削除」: a plan in preparation never used for 進行管理, after a
    page that says what goes with it."""

    template_name = "projects/plan_editor/plan_confirm_delete.html"

    def get(self, request, plan):
        return self.render_page()

    def render_page(self, status=200):
        return render(self.request, self.template_name, {
            "plan": self.plan, "refusal": authoring.plan_deletion_refusal(self.plan),
            "item_count": self.plan.items.count(), "project_count": self.plan.projects.count(),
        }, status=status)

    def post(self, request, plan):
        try:
            summary = authoring.delete_plan(self.plan, request.user)
        except authoring.StructureError as error:
            messages.error(request, f"削除できませんでした:{error}")
            return self.render_page(status=400)
        messages.success(request, f"{summary}しました。")
        return redirect("plan_editor:plan_list")
