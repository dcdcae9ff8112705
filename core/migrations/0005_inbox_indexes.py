from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

# PostgreSQL only: trigram indexes for the substring searches (contact name without spaces, identity
# values such as phone fragments) and a GIN index for label containment. The expressions are exactly
# those core/queries generates, so the planner can use them. SQLite has no equivalent and scans.
PG_LABELS = [
    'CREATE INDEX IF NOT EXISTS "idx_conversation_labels_gin" ON "conversation" USING gin ("labels" jsonb_path_ops)',
]
PG_TRIGRAMS = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    'CREATE INDEX IF NOT EXISTS "idx_contact_name_compact_trgm" ON "contact" '
    "USING gin ((CAST(REPLACE(\"name_search\", ' ', '') AS VARCHAR)) gin_trgm_ops)",
    'CREATE INDEX IF NOT EXISTS "idx_contact_identity_value_trgm" ON "contact_identity" '
    'USING gin ((CAST("value" AS VARCHAR)) gin_trgm_ops)',
]
# pg_trgm ships with PostgreSQL (contrib) and is a trusted extension, but a server without contrib
# or a role without CREATE on the database cannot add it: then search keeps working, unindexed.
CAN_TRIGRAM = (
    "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') OR ("
    "EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') "
    "AND has_database_privilege(current_database(), 'CREATE')) AS ok"
)
PG_SEARCH_DROP = [
    'DROP INDEX IF EXISTS "idx_contact_name_compact_trgm"',
    'DROP INDEX IF EXISTS "idx_contact_identity_value_trgm"',
    'DROP INDEX IF EXISTS "idx_conversation_labels_gin"',
]


async def add_search_indexes(apps, schema_editor):
    client = schema_editor.client
    if client.capabilities.dialect != "postgres":
        return
    statements = list(PG_LABELS)
    _, rows = await client.execute_query(CAN_TRIGRAM)
    if rows and rows[0]["ok"]:
        statements += PG_TRIGRAMS
    for sql in statements:
        await client.execute_script(sql)


async def drop_search_indexes(apps, schema_editor):
    if schema_editor.client.capabilities.dialect == "postgres":
        for sql in PG_SEARCH_DROP:
            await schema_editor.client.execute_script(sql)


class Migration(migrations.Migration):
    dependencies = [('models', '0004_sla_alarms')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='ContactIdentity',
            index=Index(fields=['contact_id']),
        ),
        ops.AddIndex(
            model_name='Conversation',
            index=Index(fields=['last_activity_at', 'id']),
        ),
        ops.AddIndex(
            model_name='Conversation',
            index=Index(fields=['status', 'channel', 'last_activity_at']),
        ),
        ops.AddIndex(
            model_name='Conversation',
            index=Index(fields=['assignee_id', 'status', 'last_activity_at']),
        ),
        ops.AddIndex(
            model_name='Conversation',
            index=Index(fields=['team_id', 'status', 'last_activity_at']),
        ),
        ops.RemoveIndex(
            model_name='OutboundMessage',
            name=None,
            fields=['status', 'next_attempt_at'],
        ),
        ops.AddIndex(
            model_name='OutboundMessage',
            index=Index(fields=['status', 'next_attempt_at', 'id']),
        ),
        ops.AddIndex(
            model_name='OutboundMessage',
            index=Index(fields=['channel', 'provider_id']),
        ),
        ops.RunPython(add_search_indexes, drop_search_indexes),
    ]
