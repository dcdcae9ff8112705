from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from core.models.enums import FileState


class Migration(migrations.Migration):
    dependencies = [('models', '0010_step_retry')]

    initial = False

    operations: list = [
        # Bot API files are stored by reference with the message and fetched after the ack (bots.file_fetch).
        ops.AddField(
            model_name='Attachment',
            name='state',
            field=fields.CharEnumField(default=FileState.STORED, description='STORED: stored\nPENDING: pending\nFAILED: failed', enum_type=FileState, max_length=10),
        ),
        ops.AddField(model_name='Attachment', name='provider_file_id', field=fields.CharField(null=True, max_length=255)),
        ops.AddField(model_name='Attachment', name='fetch_attempts', field=fields.IntField(default=0)),
        ops.AddField(
            model_name='Attachment',
            name='fetch_after',
            field=fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(model_name='Attachment', name='fetch_error', field=fields.CharField(null=True, max_length=300)),
    ]
