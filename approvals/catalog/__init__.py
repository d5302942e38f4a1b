"""The public statewide catalog of approved courses: search, course pages, CSV export."""
