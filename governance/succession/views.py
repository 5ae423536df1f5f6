"""次期計画の策定 (情報推進課 only): draft the next plan from an adopted one, record
what becomes of each of its projects, adopt the new plan. Mounted under
/plans/manage/<plan>/ beside the plan editor."""

from django import forms
from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from core.busy import keep_input
from governance.succession import services
from governance.succession.forms import AdoptForm, NextPlanForm, SuccessionRowForm
from governance.survey import survey_tables
from plans.models import Fate, Plan, Project, Succession
from plans.permissions import require_plan_author


class AuthorView(View):
    """情報推進課 only (403 otherwise, written to the 監査ログ); `self.plan` is the URL's plan."""

    def dispatch(self, request, *args, **kwargs):
        require_plan_author(request.user)
        self.plan = get_object_or_404(Plan.objects.select_related("predecessor"), code=kwargs["plan"])
        return super().dispatch(request, *args, **kwargs)


class NextPlanView(AuthorView):
    """次期計画を作成: a plan in preparation following this (adopted) plan."""

    template_name = "governance/succession/next_plan.html"

    def render_form(self, form, status=200):
        return render(self.request, self.template_name, {"plan": self.plan, "form": form}, status=status)

    def get(self, request, plan):
        start = self.plan.end_year + 1
        return self.render_form(NextPlanForm(initial={"start_year": start, "end_year": start + 4}))

    def post(self, request, plan):
        form = NextPlanForm(request.POST)
        if not form.is_valid():
            messages.error(request, "入力内容に誤りがあります。各項目のメッセージを確認してください。")
            return self.render_form(form, status=400)
        keep_input(request, lambda: self.render_form(form))
        try:
            new = services.draft_next_plan(request.user, self.plan, **form.cleaned_data)
        except services.SuccessionError as error:
            messages.error(request, f"次期計画を作成できませんでした:{error}")
            return self.render_form(form, status=400)
        messages.success(request, f"「{new.name}」を策定中として作成しました。前計画の事業ごとに引継ぎを記録してください。")
        return redirect("succession:table", plan=new.code)


RowFormSet = forms.formset_factory(SuccessionRowForm, extra=0)


class SuccessionView(AuthorView):
    """事業の引継ぎ: one row per project of the outgoing plan, pre-filled from its latest
    今後の方向性; saving records every row and carries the projects forward."""

    template_name = "governance/succession/table.html"

    def formset(self, rows, data=None):
        items = [(item.pk, f"{item.code} {item.title}") for item in services.leaf_items(self.plan)]
        projects = [(row.project.pk, f"{row.project.code} {row.project.name}") for row in rows]
        initial = [{"project": row.project.pk, "fate": row.fate, "item": row.item_id, "merge_into": row.merge_into_id,
                    "split_names": row.split_names, "reason": row.reason} for row in rows]
        return RowFormSet(data, initial=initial, prefix="rows",
                          form_kwargs={"item_choices": items, "project_choices": projects})

    def render_page(self, rows, formset, errors=None, status=200):
        errors = errors or {}
        counts = {label: 0 for label in Fate.labels}
        for row in rows:
            counts[Fate(row.fate).label] += 1
        return render(self.request, self.template_name, {
            "plan": self.plan, "outgoing": self.plan.predecessor,
            "lines": [(row, form, errors.get(row.project.pk)) for row, form in zip(rows, formset.forms)],
            "formset": formset, "counts": counts, "unrecorded": sum(1 for row in rows if row.recorded is None),
            "survey": survey_tables(self.plan.predecessor) if self.plan.predecessor_id else None,
        }, status=status)

    def get(self, request, plan):
        if self.plan.predecessor_id is None:
            messages.info(request, "この計画には前計画がないため、引継ぎはありません。")
            return redirect("plan_editor:editor", plan=self.plan.code)
        rows = services.rows(self.plan)
        return self.render_page(rows, self.formset(rows))

    def post(self, request, plan):
        rows = services.rows(self.plan)
        formset = self.formset(rows, request.POST)
        if not formset.is_valid():
            messages.error(request, "入力内容に誤りがあります。各行のメッセージを確認してください。")
            return self.render_page(rows, formset, status=400)
        keep_input(request, lambda: self.render_page(rows, formset))
        choices = [services.Choice(project_id=data["project"], fate=data["fate"], reason=data["reason"],
                                   item_id=data["item"], merge_into_id=data["merge_into"],
                                   split_names=data["split_names"])
                   for data in formset.cleaned_data]
        try:
            outcome = services.record(request.user, self.plan, choices)
        except services.SuccessionError as error:
            messages.error(request, f"保存できませんでした:{error}")
            return self.render_page(rows, formset, errors=error.errors, status=400)
        messages.success(request, f"{outcome.summary}しました。")
        return redirect("succession:table", plan=self.plan.code)


class AdoptView(AuthorView):
    """策定: adopt the plan on a date and make it current, in one step."""

    template_name = "governance/succession/adopt.html"

    def render_form(self, form, status=200):
        current = Plan.objects.filter(is_current=True).exclude(pk=self.plan.pk).first()
        recorded = Succession.objects.filter(next_plan=self.plan)
        counts = dict(recorded.values_list("fate").annotate(n=Count("pk")).values_list("fate", "n"))
        return render(self.request, self.template_name, {
            "plan": self.plan, "form": form, "current": current,
            "undecided": services.undecided(self.plan) if self.plan.in_preparation else [],
            "carried": Project.objects.filter(plan=self.plan).count(),
            "fate_counts": [(label, counts.get(value, 0)) for value, label in Fate.choices],
            "left_undecided": list(recorded.filter(fate=Fate.UNDECIDED).select_related("project")
                                   .order_by("project__code")),
        }, status=status)

    def get(self, request, plan):
        return self.render_form(AdoptForm())

    def post(self, request, plan):
        form = AdoptForm(request.POST)
        if not form.is_valid():
            messages.error(request, "策定日を正しく入力してください。")
            return self.render_form(form, status=400)
        keep_input(request, lambda: self.render_form(form))
        try:
            previous = services.adopt(request.user, self.plan, adopted_on=form.cleaned_data["adopted_on"])
        except services.SuccessionError as error:
            messages.error(request, f"策定できませんでした:{error}")
            return self.render_form(form, status=400)
        text = f"「{self.plan.name}」を策定し、現行計画にしました。各課に計画と情報化事業シートが表示されます。"
        if previous is not None:
            text += f"「{previous.name}」の進行管理(最終年度の年次進行管理・最終見直し)は引き続き行えます。"
        messages.success(request, text)
        return redirect(self.plan.get_absolute_url())
