"""The application page carries the letter panel once a letter exists."""
from __future__ import annotations

from tests.letters_support import approve, letters, people, run_letter_jobs  # noqa: F401


def test_agency_application_page_links_the_letter(app, people, client, auth):
    app_row = approve(app, people)
    auth.login(people.staff)
    page = client.get(f"/agency/applications/{app_row.id}").get_data(as_text=True)
    assert "The letter is being prepared" in page
    run_letter_jobs(app_row.id)
    letter = letters(app_row.id)[0]
    page = client.get(f"/agency/applications/{app_row.id}").get_data(as_text=True)
    assert f"/letters/{letter.id}/pdf" in page and "Download the letter" in page
    assert "Revoke this approval" not in page
