from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0005_inbox_indexes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PendingStep',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('message_id', fields.BigIntField(unique=True)),
                ('conversation_id', fields.BigIntField()),
                ('turn', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'pending_step', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A stored inbound message the bot has not answered yet.'},
            bases=['Model'],
        ),
    ]
