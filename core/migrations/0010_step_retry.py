from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [('models', '0009_outbox_order')]

    initial = False

    operations: list = [
        # A failed bot step stays owed and is retried with backoff (handlers.engine).
        ops.AddField(model_name='PendingStep', name='attempts', field=fields.IntField(default=0)),
        ops.AddField(
            model_name='PendingStep',
            name='next_attempt_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddIndex(model_name='PendingStep', index=Index(fields=['conversation_id', 'message_id'])),
        # Telegram reuses update ids: a receipt is a repeat only with the same payload.
        ops.AddField(model_name='InboundReceipt', name='digest', field=fields.CharField(default='', max_length=64)),
        ops.CreateModel(
            name='CaseAttachment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case', fields.ForeignKeyField('models.Case', source_field='case_id', db_constraint=True, to_field='id', related_name='attachments', on_delete=OnDelete.CASCADE)),
                ('attachment', fields.ForeignKeyField('models.Attachment', source_field='attachment_id', db_constraint=True, to_field='id', related_name='cases', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'case_attachment', 'app': 'models', 'unique_together': (('case', 'attachment'),), 'pk_attr': 'id', 'table_description': 'One stored file (kept with the message it came in) attached to a case.'},
            bases=['Model'],
        ),
    ]
