"""The catalog search form: a GET form, so no CSRF token; its values become a
CatalogQuery, whose own checks supply the messages."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import FloatField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from approvals.catalog.search import MAX_TEXT, SORTS, CatalogQuery
from approvals.models.application import AREAS, DESIGNATIONS, DeliveryMethod

# Form field name -> CatalogQuery attribute, where they differ.
_QUERY_NAMES = {"q": "text", "delivery": "delivery_method", "agency": "agency_id"}


def _choices(pairs: Any) -> list[SelectChoice]:
    return [SelectChoice(str(value), label) for value, label in pairs]


class HoursField(FloatField):
    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist and str(valuelist[0]).strip():
            try:
                self.data = float(valuelist[0])
            except ValueError:
                self.data = None
                raise ValueError("Enter a number of hours, like 4 or 7.5.") from None
        else:
            self.data = None


class CatalogSearchForm(FlaskForm):
    # "Search words" is a text input, not type=search: USWDS styles every
    # [type=search] as half of its search-bar component (no right border, floated).

    class Meta:
        csrf = False

    q = StringField("Search words", description="Title, synopsis or objectives. Use \"quotes\" for a phrase, "
                    "or between alternatives, and -word to leave a word out.",
                    validators=[Optional(), Length(max=MAX_TEXT, message=f"Use at most {MAX_TEXT} characters.")])
    area = SelectField("Core curriculum area", choices=_choices([("", "Any area"), *AREAS.items()]), validate_choice=False)
    designation = SelectField("Designation", choices=_choices([("", "Any designation"), *DESIGNATIONS.items()]),
                              validate_choice=False)
    min_hours = HoursField("At least (hours)", validators=[Optional()])
    max_hours = HoursField("At most (hours)", validators=[Optional()])
    delivery = SelectField("Delivery", choices=_choices([("", "Any delivery"), *((m.value, m.label) for m in DeliveryMethod)]),
                           validate_choice=False)
    agency = SelectField("Agency holding the approval", validate_choice=False)
    sort = SelectField("Sort by", choices=_choices(SORTS.items()), default="relevance", validate_choice=False)

    def setup(self, agencies: list[tuple[int, str]]) -> CatalogSearchForm:
        self.agency.choices = _choices([("", "Any agency"), *agencies])
        return self

    def to_query(self, *, page: int = 1, per_page: int = 20) -> CatalogQuery:
        agency = self.agency.data or ""
        return CatalogQuery(
            text=(self.q.data or "").strip(), area=self.area.data or None, designation=self.designation.data or None,
            min_hours=self.min_hours.data, max_hours=self.max_hours.data,
            delivery_method=self.delivery.data or None,
            agency_id=int(agency) if agency.isdigit() else (-1 if agency else None),
            sort=self.sort.data or "relevance", page=page, per_page=per_page,
        )

    def check(self, query: CatalogQuery) -> bool:
        """Put the query's problems next to the fields; True when there are none."""
        names = {v: k for k, v in _QUERY_NAMES.items()}
        for problem in query.problems():
            field = self._fields.get(names.get(problem.field, problem.field))
            if field is not None and problem.message not in field.errors:
                field.errors = [*field.errors, problem.message]
        return not self.errors

    def args(self) -> dict[str, Any]:
        """The filters as URL parameters (empty ones left out), for links that keep them."""
        return {name: f.raw_data[0] for name, f in self._fields.items()
                if f.raw_data and str(f.raw_data[0]).strip()}
