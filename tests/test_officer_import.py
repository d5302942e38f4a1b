"""`flask --app approvals import-officers FILE`: every row or none, problems by row."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from approvals.extensions import db
from approvals.models import AuditEvent, Officer


def _write(tmp_path, *lines: str):
    path = tmp_path / "officers.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_clean_file_imports_officers_and_commissions(runner, make, tmp_path):
    agency = make.agency("Alpha PD", ori="MO0100100")
    login = make.user("officer", email="pat@example.gov")
    path = _write(tmp_path, "license_number,name,licensed_on,email,agency_ori,commissioned_on",
                  "mo-1001,Pat Lane,2015-06-01,Pat@Example.gov,mo0100100,2016-01-04",
                  "MO-1002,Lee Ray,2019-02-11,,,",
                  "", "MO-1003,Kim Fox,2023-12-31,kim@example.gov,MO0100100,")

    result = runner.invoke(args=["import-officers", str(path)])

    assert result.exit_code == 0, result.output
    assert "Imported 3 officer(s)" in result.output
    officers = {o.license_number: o for o in db.session.scalars(sa.select(Officer))}
    assert set(officers) == {"MO-1001", "MO-1002", "MO-1003"}
    pat = officers["MO-1001"]
    assert (pat.email, pat.licensed_on, pat.user_id) == ("pat@example.gov", date(2015, 6, 1), login.id)
    assert officers["MO-1003"].user_id is None
    assert [(c.agency_id, c.started_on) for c in pat.commissions] == [(agency.id, date(2016, 1, 4))]
    assert officers["MO-1002"].commissions == []
    assert officers["MO-1003"].commissions[0].started_on == date(2023, 12, 31)
    assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.action == "officers.imported"))


def test_bad_rows_are_reported_by_row_and_nothing_is_imported(runner, make, tmp_path):
    make.agency("Alpha PD", ori="MO0100100")
    runner.invoke(args=["import-officers", str(_write(tmp_path, "license_number,name,licensed_on", "MO-9,Old,2010-01-01"))])
    path = _write(tmp_path, "license_number,name,licensed_on,email,agency_ori",
                  "MO-1,Good Row,2015-06-01,,",
                  "MO-2,,2015-06-01,,",
                  "MO-3,Bad Date,06/01/2015,,",
                  "MO-1,Again,2015-06-01,,",
                  "MO-4,Bad Mail,2015-06-01,not-an-address,",
                  "MO-5,No Agency,2015-06-01,,MO9999999",
                  "MO-9,Already,2015-06-01,,",
                  "MO-6,Future,2999-01-01,,")

    result = runner.invoke(args=["import-officers", str(path)])

    assert result.exit_code != 0
    for expected in ("Row 3: The name is missing.", "Row 4: The license date “06/01/2015” is not a date",
                     "Row 5: License number MO-1 is also on row 2.", "Row 6: “not-an-address” is not an e-mail",
                     "Row 7: No agency has ORI MO9999999.", "Row 8: An officer with license number MO-9 is already",
                     "Row 9: The license date is in the future.", "7 problem(s)", "nothing was imported"):
        assert expected in result.output, expected
    assert db.session.scalar(sa.select(sa.func.count(Officer.id))) == 1


def test_missing_columns_are_reported(runner, tmp_path):
    result = runner.invoke(args=["import-officers", str(_write(tmp_path, "license,name", "MO-1,X"))])
    assert result.exit_code != 0 and "lacks the column(s) license_number, licensed_on" in result.output
