"""Public routes: catalog search, course pages, letter verification. No token needed."""
from __future__ import annotations

from flask import abort, current_app, url_for

from approvals.api.registry import operation
from approvals.api.schemas.catalog import (
    AgencyName, CatalogQuery, CourseDetail, CourseList, CourseOut, PublicOffering, VerifyOut, VerifyQuery,
)
from approvals.api.schemas.common import Hours, Pagination
from approvals.catalog import search
from approvals.catalog.course import find_course, public_course, upcoming_offerings
from approvals.extensions import limiter
from approvals.models import Offering
from approvals.verification import check

TAG = "Catalog"

# The same budget as the verification pages (scope "verify"), so switching between them gains nothing.
_verify_limit = limiter.shared_limit(lambda: current_app.config["VERIFY_RATE_LIMIT"], scope="verify")


def _course_url(number: str) -> str:
    return url_for("api.catalog_course", approval_number=number)


def public_offering(o: Offering) -> PublicOffering:
    return PublicOffering(id=o.id, agency=AgencyName(id=o.agency.id, name=o.agency.name), starts_on=o.starts_on,
                          ends_on=o.ends_on, online=o.online, location=o.location, instructors=o.instructor_names,
                          seats=o.seats, contact_name=o.contact_name, contact_email=o.contact_email,
                          contact_phone=o.contact_phone)


@operation("GET", "/catalog/courses", summary="Search the catalog", tag=TAG, auth=None, query=CatalogQuery,
           response=CourseList, description="Approved, current courses: full-text search over title, synopsis "
           "and objectives, filters, sort by relevance, newest or title, paginated.")
def catalog_search(query: CatalogQuery) -> CourseList:
    page = search.search_courses(search.CatalogQuery(
        text=query.text, area=query.area.value if query.area else None,
        designation=query.designation.value if query.designation else None,
        min_hours=query.min_hours, max_hours=query.max_hours,
        delivery_method=query.delivery_method.value if query.delivery_method else None,
        agency_id=query.agency_id, sort=query.sort, page=query.page, per_page=query.per_page))
    items = [CourseOut(approval_number=c.approval_number, title=c.title, synopsis=c.synopsis,
                       objectives=list(c.objectives), agency=AgencyName(id=c.agency_id, name=c.agency_name),
                       delivery_method=c.delivery_method, approved_on=c.approved_on, expires_on=c.expires_on,
                       hours=Hours(**c.hours), rank=c.rank, url=_course_url(c.approval_number))
             for c in page.items]
    return CourseList(items=items, pagination=Pagination.of(query.page, query.per_page, page.total))


@operation("GET", "/catalog/courses/<approval_number>", summary="A catalog course", tag=TAG, auth=None,
           response=CourseDetail, errors=(404,),
           description="The public facts of an approval (also once revoked or expired) and its upcoming offerings.")
def catalog_course(approval_number: str) -> CourseDetail:
    app = find_course(approval_number)
    if app is None:
        abort(404)
    facts = public_course(app)
    offerings = upcoming_offerings(app.id) if facts.is_current else []
    return CourseDetail(
        approval_number=facts.approval_number, title=facts.title, synopsis=facts.synopsis,
        objectives=list(facts.objectives), agency=AgencyName(id=facts.agency_id, name=facts.agency_name),
        delivery_method=facts.delivery_method, approved_on=facts.approved_on, expires_on=facts.expires_on,
        hours=Hours(**facts.hours), url=_course_url(facts.approval_number), status=facts.status.value,
        revoked_on=facts.revoked_on, offerings=[public_offering(o) for o in offerings])


@operation("GET", "/verify/<number>", summary="Verify an approval letter", tag="Verification", auth=None,
           query=VerifyQuery, response=VerifyOut, errors=(404,),
           description="Is a letter with this approval number and code genuine, and is the approval current? "
                       "An unknown number and a wrong code get the same answer. Rate-limited per address.")
@_verify_limit
def verify_letter(number: str, query: VerifyQuery) -> VerifyOut:
    verdict = check(number, query.code)
    return VerifyOut.model_validate(verdict.to_json()) if verdict is not None else VerifyOut(verified=False)
