from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

# Claims skip a row while an earlier row of its (channel, recipient) is unfinished
# (core.actions.outbox_claim): this index finds the recipient's earlier rows. Its columns never change,
# so the two status updates of every send leave it alone (with `status` in it the 100k campaign ran ~30%
# slower on SQLite: each update rewrote a random B-tree entry).


class Migration(migrations.Migration):
    dependencies = [('models', '0008_staff_sessions')]

    initial = False

    operations: list = [
        ops.AddIndex(
            model_name='OutboundMessage',
            index=Index(fields=['channel', 'recipient', 'id']),
        ),
    ]
