from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from core.models.enums import Channel
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0002_bot_domain')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DialogState',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('contact_id', fields.IntField()),
                ('channel', fields.CharEnumField(description='TELEGRAM: telegram\nBALE: bale\nSMS: sms\nEMAIL: email\nFAX: fax\nCALL: call\nLETTER: letter\nWEB: web', enum_type=Channel, max_length=10)),
                ('conversation', fields.ForeignKeyField('models.Conversation', source_field='conversation_id', null=True, db_constraint=True, to_field='id', related_name='dialog_states', on_delete=OnDelete.SET_NULL)),
                ('flow', fields.CharField(default='', max_length=40)),
                ('step', fields.CharField(default='', max_length=40)),
                ('data', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('seq', fields.IntField(default=0)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('muted_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'dialog_state', 'app': 'models', 'unique_together': (('contact_id', 'channel'),), 'pk_attr': 'id', 'table_description': 'The flow and step a contact is in on one channel, the answers collected so far and when it expires.'},
            bases=['Model'],
        ),
    ]
