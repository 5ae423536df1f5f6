"""After a refused stale save: the user's own changes laid over the sheet as it is now.

Every field of the edit forms' existing rows carries its initial value
(show_hidden_initial), so we know exactly what this user changed; a new row is
all change. Those values are kept; everything
else is refreshed from the current sheet. The result is new form data with a
new baseline: saving it applies the user's changes without undoing anyone
else's, and a field both people changed keeps this user's value, shown beside
the other change for them to decide.
"""

from django.http import QueryDict


def _raw(form, name, *, posted):
    """A field's value as the browser would post it."""
    bound = form[name]
    value = bound.data if posted else bound.value()
    if isinstance(value, bool):
        return "on" if value else None
    return "" if value is None else str(value)


def _merge_form(data, fresh_form, posted_form):
    """Fill `data` for one form: fresh values, overridden by what the user changed."""
    changed = set(posted_form.changed_data) if posted_form is not None else set()
    for name in fresh_form.fields:
        baseline = _raw(fresh_form, name, posted=False)
        html = fresh_form[name].html_name
        if baseline is not None:
            data[fresh_form[name].html_initial_name] = baseline
        value = _raw(posted_form, name, posted=True) if name in changed else baseline
        if value is not None:
            data[html] = value


def _merge_formset(data, fresh_set, posted_set):
    posted_by_pk = {f.instance.pk: f for f in posted_set.forms if f.instance.pk}
    existing = fresh_set.initial_forms
    for form in existing:
        _merge_form(data, form, posted_by_pk.get(form.instance.pk))
    new_rows = [f for f in posted_set.extra_forms if f.has_changed()]
    for offset, posted in enumerate(new_rows):
        index = len(existing) + offset
        target = fresh_set._construct_form(index, **fresh_set.get_form_kwargs(index))
        for name in posted.fields:
            # The baseline of a new row is the blank form, so that it still
            # counts as changed (and is saved) when posted again.
            baseline = _raw(target, name, posted=False)
            if baseline is not None:
                data[target[name].html_initial_name] = baseline
            value = _raw(posted, name, posted=True)
            if value is not None:
                data[target[name].html_name] = value
    management = fresh_set.management_form
    data[management["TOTAL_FORMS"].html_name] = str(len(existing) + len(new_rows))
    data[management["INITIAL_FORMS"].html_name] = str(len(existing))
    data[management["MIN_NUM_FORMS"].html_name] = str(fresh_set.min_num)
    data[management["MAX_NUM_FORMS"].html_name] = str(fresh_set.max_num)


def merge_stale_input(posted, fresh) -> QueryDict:
    """`posted` and `fresh` are SheetEdits: the refused POST, and unbound forms of now."""
    data = QueryDict(mutable=True)
    _merge_form(data, fresh.sheet_form, posted.sheet_form)
    _merge_formset(data, fresh.indicator_formset, posted.indicator_formset)
    _merge_formset(data, fresh.schedule_formset, posted.schedule_formset)
    return data
