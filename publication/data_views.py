"""Open data under /open/data/: the catalogue, a schema page per dataset and the files
(CSV, JSON, CSVW metadata), for all published plans or for one. Public and cacheable
like the other /open/ pages (publication.views.public_page); every file is written from
the dataset's one definition (publication.datasets) by publication.data_formats."""

import json

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from publication import data_formats, data_rows, querysets
from publication.datasets import DATASETS, LICENCE, LICENCE_NOTE, TYPES, attribution
from publication.views import public_page


def _dataset(dataset_id, fmt=None):
    dataset = DATASETS.get(dataset_id)
    if dataset is None or (fmt and fmt not in dataset.formats):
        raise Http404
    return dataset


def _plans(plan_code):
    """All published plans, or the one named (404 for a plan that is not published)."""
    plans = querysets.published_plans()
    if plan_code is None:
        return plans
    plans = plans.filter(code=plan_code)
    if not plans.exists():
        raise Http404
    return plans


def _file(body, content_type, filename, disposition):
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def _updated(dataset, plans, plan_code):
    return dataset.updated_on(data_rows.source_dates(plans, everything=plan_code is None))


@public_page
def data_catalogue(request):
    plans = querysets.published_plans()
    dates = data_rows.source_dates(plans)
    return render(request, "publication/data_catalogue.html", {
        "entries": [(dataset, dataset.updated_on(dates)) for dataset in DATASETS.values()],
        "plans": plans.order_by("-start_year", "code"),
        "licence": LICENCE, "licence_note": LICENCE_NOTE, "attribution": attribution(),
    })


@public_page
def data_schema(request, dataset):
    dataset = _dataset(dataset)
    plans = querysets.published_plans()
    extra = dataset.extra_columns(plans) if dataset.extra_columns else []
    return render(request, "publication/data_schema.html", {
        "dataset": dataset,
        "columns": dataset.columns,
        "year_span": (extra[0], extra[-1]) if extra else None,
        "types": TYPES,
        "updated": _updated(dataset, plans, None),
        "plans": plans.order_by("-start_year", "code"),
        "licence": LICENCE, "licence_note": LICENCE_NOTE, "attribution": attribution(),
    })


@public_page
def data_csv(request, dataset, plan=None):
    dataset, plans = _dataset(dataset, "csv"), _plans(plan)
    body = data_formats.write_csv(dataset, dataset.columns_for(plans), dataset.rows(plans))
    return _file(body, "text/csv; charset=utf-8", dataset.file_name("csv", plan), "attachment")


@public_page
def data_json(request, dataset, plan=None):
    dataset, plans = _dataset(dataset, "json"), _plans(plan)
    csv_url = reverse("open:plan_data_csv", args=[plan, dataset.id]) if plan else \
        reverse("open:data_csv", args=[dataset.id])
    body = data_formats.write_json(dataset, dataset.columns_for(plans), dataset.rows(plans), plan_code=plan,
                                   updated=_updated(dataset, plans, plan), csv_url=csv_url,
                                   page_url=reverse("open:data_schema", args=[dataset.id]))
    return _file(body, "application/json", dataset.file_name("json", plan), "inline")


@public_page
def data_csvw(request, dataset, plan=None):
    dataset, plans = _dataset(dataset, "csv"), _plans(plan)
    document = data_formats.csvw_metadata(dataset, dataset.columns_for(plans), csv_url=f"{dataset.id}.csv",
                                          updated=_updated(dataset, plans, plan))
    body = json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
    return _file(body, "application/csvm+json", dataset.file_name("csv-metadata.json", plan), "inline")
