"""Column types and helpers shared by the models."""
from __future__ import annotations

import enum
from datetime import UTC, datetime

import sqlalchemy as sa

# Hours come in 0.5 steps; NUMERIC in the database, float in Python (0.5 steps
# are exact in binary floating point, and asdecimal=False keeps SQLite quiet).
Hours = sa.Numeric(5, 1, asdecimal=False)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def enum_column(enum_cls: type[enum.Enum], name: str) -> sa.Enum:
    """A portable enum: VARCHAR plus a named CHECK constraint, storing values."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )
