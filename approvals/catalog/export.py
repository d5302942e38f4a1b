"""CSV export of catalog search results, one line at a time.

Titles and synopses are written by agencies; a cell beginning with = + - @
(or a tab or carriage return) would run as a formula when the file is opened
in a spreadsheet, so such cells are prefixed with an apostrophe.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from approvals.catalog.search import CatalogCourse
from approvals.models.application import AREAS, DESIGNATIONS

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

HEADER = [
    "Approval number", "Title", "Agency", "Delivery", "Approved on", "Expires on", "Total hours",
    *(f"{label} hours" for label in AREAS.values()),
    *(f"{label} hours" for label in DESIGNATIONS.values()),
    "Objectives", "Synopsis", "Catalog page",
]


def safe_cell(value: Any) -> Any:
    """*value*, with text that a spreadsheet would run as a formula neutralised."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def course_row(course: CatalogCourse, url: str) -> list[Any]:
    return [
        course.approval_number, course.title, course.agency_name,
        course.delivery_method.label if course.delivery_method else "",
        course.approved_on.isoformat(), course.expires_on.isoformat(), f"{course.hours['total']:g}",
        *(f"{course.hours[k]:g}" for k in AREAS),
        *(f"{course.hours[k]:g}" for k in DESIGNATIONS),
        "\n".join(course.objectives), course.synopsis, url,
    ]


def csv_lines(courses: Iterable[CatalogCourse], url_for_course: Callable[[str], str]) -> Iterator[str]:
    """The CSV text, header first, one record per yield (a UTF-8 BOM leads, so
    spreadsheet programs read accents correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(cells: list[Any]) -> str:
        writer.writerow([safe_cell(c) for c in cells])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield "\ufeff" + line(HEADER)
    for course in courses:
        yield line(course_row(course, url_for_course(course.approval_number)))
