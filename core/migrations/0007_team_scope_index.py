from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

# The unrouted pool (no team, no assignee) that every team-scoped agent also sees, by status: a
# partial index, so the inbox count of such an agent reads it alone (core.queries.conversations).
# Partial, and so invisible to the model: an index leading with team_id would tempt SQLite's planner
# away from the team filter's own index (measured: "team, page 5" 24 -> 126 ms at 200k rows).
CREATE = (
    'CREATE INDEX IF NOT EXISTS "idx_conversation_pool_status" ON "conversation" ("status") '
    'WHERE "team_id" IS NULL AND "assignee_id" IS NULL'
)
DROP = 'DROP INDEX IF EXISTS "idx_conversation_pool_status"'


async def add_pool_index(apps, schema_editor):
    await schema_editor.client.execute_script(CREATE)


async def drop_pool_index(apps, schema_editor):
    await schema_editor.client.execute_script(DROP)


class Migration(migrations.Migration):
    dependencies = [('models', '0006_pending_step')]

    initial = False

    operations = [
        ops.RunPython(add_pool_index, drop_pool_index),
        # The assignee index also carries team_id, so "mine within my team" is counted from it alone.
        ops.RemoveIndex(
            model_name='Conversation',
            name=None,
            fields=['assignee_id', 'status', 'last_activity_at'],
        ),
        ops.AddIndex(
            model_name='Conversation',
            index=Index(fields=['assignee_id', 'status', 'last_activity_at', 'team_id']),
        ),
    ]
