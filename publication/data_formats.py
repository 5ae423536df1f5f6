"""The files of an open dataset (publication.datasets), all from its one definition:
CSV (UTF-8 with a BOM, so that Excel reads the Japanese right; CRLF as RFC 4180), JSON
(metadata and `rows`) and the CSVW metadata that describes the CSV.

Why CSVW (W3C "Metadata Vocabulary for Tabular Data") rather than a Frictionless
datapackage.json: it describes the CSV file itself, so it can say what a reader of our
files must know — the header row of machine names, the Japanese title and description
of each column, the empty cell as "no value", list cells with their separator — and a
validator finds it without being told, at the standard location `<file>.csv-metadata.json`.
"""

import csv
import io
import json
import re
from datetime import date
from decimal import Decimal

from django.conf import settings

from publication.datasets import LICENCE, LICENCE_NOTE, LIST_SEPARATOR, attribution

BOM = "\ufeff"
CSVW_TYPES = {"string": "string", "integer": "integer", "decimal": "decimal", "date": "date",
              "boolean": "boolean", "list": "string"}


def csv_cell(value) -> str:
    """A value as the CSV writes it: empty for no value, ISO dates, true/false,
    plain decimals (1250, 125.0; never 1.25E+3) and lists joined by LIST_SEPARATOR."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR.join(value)
    return str(value)


def json_value(value):
    """A value as the JSON writes it: numbers as numbers, ISO dates, lists as arrays."""
    if isinstance(value, Decimal):  # 1000 stays an integer, 125.0 keeps its decimal
        return int(value) if value.as_tuple().exponent >= 0 else float(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def header(dataset, columns):
    return [getattr(column, dataset.header) for column in columns]


def write_csv(dataset, columns, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header(dataset, columns))
    for row in rows:
        writer.writerow([csv_cell(row.get(column.name)) for column in columns])
    return (BOM + buffer.getvalue()).encode("utf-8")


def metadata(dataset, *, plan_code, updated, csv_url, page_url):
    """What every JSON file and the catalogue say about a dataset."""
    return {
        "dataset": dataset.id,
        "title": dataset.title,
        "description": dataset.description,
        "publisher": settings.CITY_NAME,
        "plan": plan_code,
        "updated": updated.isoformat() if updated else None,
        "license": LICENCE | {"note": LICENCE_NOTE},
        "attribution": attribution(),
        "csv": csv_url,
        "schema": f"{csv_url}-metadata.json",
        "documentation": page_url,
    }


def write_json(dataset, columns, rows, **meta) -> bytes:
    document = metadata(dataset, **meta) | {
        "columns": [{"name": column.name, "title": column.title, "type": column.type} for column in columns],
        "rows": [{column.name: json_value(row.get(column.name)) for column in columns} for row in rows],
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def csvw_metadata(dataset, columns, *, csv_url, updated) -> dict:
    """The CSVW metadata of one CSV file (W3C, http://www.w3.org/ns/csvw)."""
    described = {
        "@context": ["http://www.w3.org/ns/csvw", {"@language": "ja"}],
        "url": csv_url,
        "dc:identifier": dataset.id,
        "dc:title": dataset.title,
        "dc:description": dataset.description + (f" {dataset.note}" if dataset.note else ""),
        "dc:publisher": settings.CITY_NAME,
        "dc:license": {"@id": LICENCE["url"]},
        "dc:rights": f"{LICENCE['name']}。{LICENCE_NOTE}{attribution()}",
        "dc:modified": {"@value": updated.isoformat(), "@type": "xsd:date"} if updated else None,
        "dialect": {"encoding": "utf-8", "header": True, "lineTerminators": ["\r\n"]},
        "tableSchema": {
            "columns": [_csvw_column(dataset, column) for column in columns],
            "primaryKey": list(dataset.key),
        },
    }
    return {key: value for key, value in described.items() if value is not None}


def _csvw_column(dataset, column) -> dict:
    described = {
        "name": column.name,
        "titles": getattr(column, dataset.header),
        "dc:title": column.title,
        "datatype": CSVW_TYPES[column.type],
        "required": column.required,
    }
    if column.type == "list":
        described["separator"] = LIST_SEPARATOR
    if column.values:
        described["datatype"] = {"base": "string", "format": "|".join(re.escape(v) for v in column.values)}
    if column.description:
        described["dc:description"] = column.description
    return described
