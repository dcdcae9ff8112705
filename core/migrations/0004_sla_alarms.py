from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from core.models.enums import CaseType, Channel, Priority
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_dialog_state')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AlarmRule',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(db_index=True, max_length=40)),
                ('name', fields.CharField(default='', max_length=120)),
                ('active', fields.BooleanField(default=True)),
                ('urgent', fields.BooleanField(default=False)),
                ('threshold', fields.IntField(null=True)),
                ('params', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('recipients', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('channels', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('escalate_after_minutes', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'alarm_rule', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An alarm or notice kind with its threshold, recipients, channels, escalation and urgency.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AlarmDelivery',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('alarm', fields.ForeignKeyField('models.Alarm', source_field='alarm_id', db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('rule', fields.ForeignKeyField('models.AlarmRule', source_field='rule_id', null=True, db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.SET_NULL)),
                ('level', fields.SmallIntField(default=0)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name='alarm_deliveries', on_delete=OnDelete.SET_NULL)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', null=True, db_constraint=True, to_field='id', related_name='alarm_deliveries', on_delete=OnDelete.SET_NULL)),
                ('channel', fields.CharEnumField(description='TELEGRAM: telegram\nBALE: bale\nSMS: sms\nEMAIL: email\nFAX: fax\nCALL: call\nLETTER: letter\nWEB: web', enum_type=Channel, max_length=10)),
                ('address', fields.CharField(max_length=255)),
                ('status', fields.CharField(default='queued', max_length=10)),
                ('send_after', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('outbound', fields.ForeignKeyField('models.OutboundMessage', source_field='outbound_id', null=True, db_constraint=True, to_field='id', related_name='alarm_deliveries', on_delete=OnDelete.SET_NULL)),
                ('dedupe', fields.CharField(unique=True, max_length=120)),
                ('error', fields.TextField(null=True, unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('queued_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'alarm_delivery', 'app': 'models', 'indexes': [Index(fields=['status', 'send_after'])], 'pk_attr': 'id', 'table_description': 'One alarm or notice to one person on one channel: deferred for quiet hours, then queued in the outbox.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SlaPolicy',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case_type', fields.CharEnumField(description='SERVICE: service\nCOMPLAINT: complaint\nINSTALLATION: installation', enum_type=CaseType, max_length=15)),
                ('priority', fields.CharEnumField(description='LOW: low\nNORMAL: normal\nHIGH: high\nURGENT: urgent', enum_type=Priority, max_length=10)),
                ('first_response_minutes', fields.IntField(null=True)),
                ('resolution_minutes', fields.IntField(null=True)),
                ('warning_percent', fields.IntField(default=80)),
                ('active', fields.BooleanField(default=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'sla_policy', 'app': 'models', 'unique_together': (('case_type', 'priority'),), 'pk_attr': 'id', 'table_description': 'Targets in business minutes for cases of one type and priority, and when to warn (percent of the target).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StaffLink',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='chat_links', on_delete=OnDelete.CASCADE)),
                ('channel', fields.CharEnumField(description='TELEGRAM: telegram\nBALE: bale\nSMS: sms\nEMAIL: email\nFAX: fax\nCALL: call\nLETTER: letter\nWEB: web', enum_type=Channel, max_length=10)),
                ('chat_id', fields.CharField(max_length=64)),
                ('display', fields.CharField(default='', max_length=120)),
                ('linked_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'staff_link', 'app': 'models', 'unique_together': (('user', 'channel'), ('channel', 'chat_id')), 'pk_attr': 'id', 'table_description': 'The Telegram or Bale chat of a staff member, where their alarms go.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StaffLinkCode',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='chat_link_codes', on_delete=OnDelete.CASCADE)),
                ('code_hash', fields.CharField(unique=True, max_length=64)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'staff_link_code', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A one-time code shown in the admin, which the staff member sends to the bot (/link CODE), kept as its hash.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SurveyInvite',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case', fields.ForeignKeyField('models.Case', source_field='case_id', unique=True, db_constraint=True, to_field='id', related_name='survey_invites', on_delete=OnDelete.CASCADE)),
                ('survey', fields.ForeignKeyField('models.Survey', source_field='survey_id', db_constraint=True, to_field='id', related_name='invites', on_delete=OnDelete.CASCADE)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', db_constraint=True, to_field='id', related_name='survey_invites', on_delete=OnDelete.CASCADE)),
                ('channel', fields.CharEnumField(null=True, description='TELEGRAM: telegram\nBALE: bale\nSMS: sms\nEMAIL: email\nFAX: fax\nCALL: call\nLETTER: letter\nWEB: web', enum_type=Channel, max_length=10)),
                ('address', fields.CharField(default='', max_length=255)),
                ('status', fields.CharField(default='scheduled', db_index=True, max_length=10)),
                ('reason', fields.CharField(default='', max_length=200)),
                ('token', fields.CharField(unique=True, max_length=64)),
                ('due_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'survey_invite', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The survey invitation of one resolved case: when it is due, where it went, and the response it led to.'},
            bases=['Model'],
        ),
    ]
