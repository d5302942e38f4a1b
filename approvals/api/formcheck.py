"""Checking API values with the pages' own forms.

The section forms of approvals/agency/forms.py hold the field rules of a
draft (lengths, e-mail and telephone formats, half-hour steps). The API runs
the values a client sent through the same form, so a value the page refuses
the API refuses too, with the same message, and neither can drift.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from werkzeug.datastructures import MultiDict

from approvals.api.errors import api_field


def _text(value: Any) -> str:
    if value is None or value is False:
        return ""
    if value is True:
        return "y"
    if isinstance(value, float):
        return repr(value)
    return str(getattr(value, "value", value))


def formdata(values: dict[str, Any]) -> MultiDict:
    """Form-post data for *values*: lists become numbered rows
    (``objectives-0``), lists of dicts numbered sub-fields (``instructors-0-name``)."""
    data: MultiDict = MultiDict()
    for name, value in values.items():
        if isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    for key, sub in item.items():
                        data.add(f"{name}-{i}-{key}", _text(sub))
                else:
                    data.add(f"{name}-{i}", _text(item))
        else:
            data.add(name, _text(value))
    return data


def check(form_cls: type, values: dict[str, Any], *, only: Iterable[str] | None = None) -> tuple[Any, list[tuple[str, str]]]:
    """Validate *values* with *form_cls* (CSRF off: the API has no cookies to
    forge). Returns the form and its errors as (API field, message), limited
    to the fields named in *only* when given."""
    form = form_cls(formdata=formdata(values), meta={"csrf": False})
    form.validate()
    errors = list(_errors(form))
    if only is not None:
        wanted = {api_field(n) for n in only}
        errors = [(f, m) for f, m in errors if f.split(".")[0] in wanted or f in wanted]
    return form, errors


def _errors(form: Any) -> Iterable[tuple[str, str]]:
    for message in form.form_errors:
        yield "body", message
    for field in form:
        if field.type == "FieldList":
            for i, entry in enumerate(field.entries):
                subfields = list(entry.form) if entry.type == "FormField" else [entry]
                for sub in subfields:
                    path = f"{field.name}.{i}" + (f".{sub.short_name}" if sub is not entry else "")
                    for message in sub.errors:
                        yield path, message
        elif field.name != "csrf_token":
            # Rows above are numbered from 0 already; plain names map like domain problems.
            for message in field.errors:
                yield api_field(field.name), message
