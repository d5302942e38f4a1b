"""Credit ledger and CLEE compliance: officers, rosters, alternate credit, extensions, standings."""
