"""The offerings area: agencies schedule, change and cancel offerings of catalog courses."""
