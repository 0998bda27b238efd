"""back office: beneficiary requests, their priority publics and booklets; a partner's contact name

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 23:52:23.007098

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('beneficiary_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reception_point_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('civility', sa.String(length=10), nullable=False),
    sa.Column('first_name', sa.String(length=60), nullable=False),
    sa.Column('last_name', sa.String(length=60), nullable=False),
    sa.Column('address_recipient', sa.String(length=38), nullable=False),
    sa.Column('address_building', sa.String(length=38), nullable=False),
    sa.Column('address_street', sa.String(length=38), nullable=False),
    sa.Column('address_place', sa.String(length=38), nullable=False),
    sa.Column('postcode', sa.String(length=5), nullable=False),
    sa.Column('commune_insee', sa.String(length=5), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('consent_at', sa.DateTime(), nullable=False),
    sa.Column('consent_version', sa.String(length=20), nullable=False),
    sa.Column('status', sa.Enum('received', 'assigned', 'posted', 'closed', name='requeststatus', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('close_reason', sa.String(length=300), nullable=True),
    sa.Column('anonymised_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name=op.f('ck_beneficiary_requests_closed_has_date')),
    sa.CheckConstraint("anonymised_at IS NULL OR status = 'closed'", name=op.f('ck_beneficiary_requests_only_closed_anonymised')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_beneficiary_requests_created_by_id_users')),
    sa.ForeignKeyConstraint(['reception_point_id'], ['reception_points.id'], name=op.f('fk_beneficiary_requests_reception_point_id_reception_points')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_beneficiary_requests'))
    )
    with op.batch_alter_table('beneficiary_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_beneficiary_requests_closed_at'), ['closed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_beneficiary_requests_commune_insee'), ['commune_insee'], unique=False)
        batch_op.create_index('ix_beneficiary_requests_point_status', ['reception_point_id', 'status'], unique=False)

    op.create_table('booklet_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('booklet_id', sa.Integer(), nullable=False),
    sa.Column('replaces_booklet_id', sa.Integer(), nullable=True),
    sa.Column('assigned_at', sa.DateTime(), nullable=False),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('posted_at', sa.DateTime(), nullable=True),
    sa.Column('posted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('replaces_booklet_id IS NULL OR replaces_booklet_id <> booklet_id', name=op.f('ck_booklet_assignments_replacement_differs')),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], name=op.f('fk_booklet_assignments_assigned_by_id_users')),
    sa.ForeignKeyConstraint(['booklet_id'], ['booklets.id'], name=op.f('fk_booklet_assignments_booklet_id_booklets')),
    sa.ForeignKeyConstraint(['posted_by_id'], ['users.id'], name=op.f('fk_booklet_assignments_posted_by_id_users')),
    sa.ForeignKeyConstraint(['replaces_booklet_id'], ['booklets.id'], name=op.f('fk_booklet_assignments_replaces_booklet_id_booklets')),
    sa.ForeignKeyConstraint(['request_id'], ['beneficiary_requests.id'], name=op.f('fk_booklet_assignments_request_id_beneficiary_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booklet_assignments')),
    sa.UniqueConstraint('booklet_id', name=op.f('uq_booklet_assignments_booklet_id')),
    sa.UniqueConstraint('replaces_booklet_id', name=op.f('uq_booklet_assignments_replaces_booklet_id'))
    )
    with op.batch_alter_table('booklet_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booklet_assignments_request_id'), ['request_id'], unique=False)

    op.create_table('request_publics',
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('public', sa.Enum('young_adult', 'isolated_geographic', 'isolated_precarity', 'isolated_elderly', 'isolated_disabled', 'non_french_speaker', 'insertion', name='prioritypublic', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['beneficiary_requests.id'], name=op.f('fk_request_publics_request_id_beneficiary_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('request_id', 'public', name=op.f('pk_request_publics'))
    )
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_name', sa.String(length=200), nullable=False, server_default=''))



def downgrade():
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.drop_column('contact_name')

    op.drop_table('request_publics')
    with op.batch_alter_table('booklet_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booklet_assignments_request_id'))

    op.drop_table('booklet_assignments')
    with op.batch_alter_table('beneficiary_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_beneficiary_requests_point_status')
        batch_op.drop_index(batch_op.f('ix_beneficiary_requests_commune_insee'))
        batch_op.drop_index(batch_op.f('ix_beneficiary_requests_closed_at'))

    op.drop_table('beneficiary_requests')
