"""All models, imported here so Alembic and the app see one metadata."""
from approvals.models.agency import Agency
from approvals.models.api_token import ApiToken
from approvals.models.application import (
    AREAS,
    DESIGNATIONS,
    HOUR_FIELDS,
    OPEN_STATES,
    Application,
    ApplicationState,
    DeliveryMethod,
)
from approvals.models.audit import AuditEvent, AuditImmutableError, record
from approvals.models.catalog import CatalogEntry
from approvals.models.compliance import (
    ComplianceSnapshot,
    Extension,
    ExtensionKind,
    ExtensionStatus,
    ReminderLog,
    ReportingPeriod,
)
from approvals.models.credit import CreditDocument, CreditEntry, CreditProvider, CreditSource
from approvals.models.credit_totals import CreditTotal
from approvals.models.letter import ApprovalLetter
from approvals.models.offering import Offering
from approvals.models.officer import Commission, Officer
from approvals.models.outbox import OutboxMessage, OutboxStatus
from approvals.models.parts import Document, DocumentKind, Instructor, Objective
from approvals.models.review import ApprovalCounter, Comment, Notification, ReviewerConflict
from approvals.models.revision import Revision, RevisionImmutableError
from approvals.models.roster import Roster, RosterAmendment
from approvals.models.user import Role, User

__all__ = [
    "AREAS", "DESIGNATIONS", "HOUR_FIELDS", "OPEN_STATES",
    "Agency", "Application", "ApplicationState", "ApprovalCounter", "ApprovalLetter",
    "AuditEvent", "AuditImmutableError", "Comment", "DeliveryMethod", "Document",
    "DocumentKind", "Instructor", "Notification", "Objective", "OutboxMessage",
    "OutboxStatus", "Revision", "RevisionImmutableError", "ReviewerConflict", "Role",
    "User", "record",
    "CatalogEntry", "Offering",
    "Commission", "ComplianceSnapshot", "CreditDocument", "CreditEntry", "CreditProvider",
    "CreditSource", "CreditTotal", "Extension", "ExtensionKind", "ExtensionStatus", "Officer",
    "ReminderLog", "ReportingPeriod", "Roster", "RosterAmendment",
    "ApiToken",
]
