"""Public verification of approval letters (no sign-in)."""
