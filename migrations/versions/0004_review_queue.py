"""review queue: an index for "my assignments" (reviewer, state, submission date)

The reviewer's queue filters on the assigned reviewer and the open states and
sorts by submission date; without this index SQLite and PostgreSQL walk every
application the reviewer ever had, decided ones included.

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-30 02:10:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_applications_reviewer_state_submitted', 'applications',
                    ['assigned_reviewer_id', 'state', 'submitted_at'], unique=False)


def downgrade():
    op.drop_index('ix_applications_reviewer_state_submitted', table_name='applications')
