"""Who the token is: the caller's account, agency and what it may do."""
from __future__ import annotations

from flask_login import current_user
from pydantic import BaseModel, Field

from approvals.api.auth import api_token
from approvals.api.registry import ANY, operation
from approvals.api.schemas.common import AgencyRef, Timestamp
from approvals.permissions import ROLE_CAPABILITIES


class TokenInfo(BaseModel):
    name: str
    prefix: str
    created_at: Timestamp
    last_used_at: Timestamp | None


class Me(BaseModel):
    id: int
    name: str
    email: str
    role: str
    agency: AgencyRef | None
    capabilities: list[str] = Field(description="What this account may do (as on the pages).")
    token: TokenInfo


@operation("GET", "/me", summary="The token's account", tag="Meta", auth=ANY, response=Me)
def me() -> Me:
    token = api_token()
    assert token is not None
    agency = current_user.agency
    return Me(id=current_user.id, name=current_user.name, email=current_user.email, role=current_user.role.value,
              agency=AgencyRef(id=agency.id, name=agency.name, ori=agency.ori) if agency else None,
              capabilities=sorted(ROLE_CAPABILITIES.get(current_user.role, frozenset())),
              token=TokenInfo(name=token.name, prefix=token.prefix, created_at=token.created_at,
                              last_used_at=token.last_used_at))
