"""Merging two contacts into one without losing anything that points at either (INB-2)."""

from __future__ import annotations

from tortoise import Tortoise
from tortoise.models import Model

from core.actions.audit import record
from core.areas import Area, require_write
from core.errors import NotFound, ValidationError
from core.models import Contact, User
from core.tx import atomic


def contact_references() -> list[tuple[type[Model], str]]:
    """Every (model, foreign-key column) that points at a contact, found from the model registry.

    Looking them up instead of listing them means orders, devices or installments added later
    move on merge without anyone remembering to add them here.
    """
    refs: list[tuple[type[Model], str]] = []
    for model in Tortoise.apps["models"].values():
        for name in model._meta.fk_fields:
            field = model._meta.fields_map[name]
            if field.related_model is Contact:
                refs.append((model, field.source_field or f"{name}_id"))
    return refs


async def count_references(contact_id: int, *, skip: tuple[type[Model], ...] = ()) -> int:
    """How many rows point at a contact (identities included, merged contacts not)."""
    total = 0
    for model, column in contact_references():
        if model is Contact or model in skip:
            continue
        total += await model.filter(**{column: contact_id}).count()
    return total


async def merge_contacts(keep_id: int, merge_id: int, *, by: User | None) -> Contact:
    """Move everything of contact `merge_id` to `keep_id` and hide the merged one; returns the kept contact."""
    require_write(by, Area.CONTACTS)
    if keep_id == merge_id:
        raise ValidationError("cannot merge a contact into itself")
    async with atomic() as out:
        # Lock both rows in id order so two opposite merges cannot deadlock.
        locked = await Contact.filter(id__in=[keep_id, merge_id]).order_by("id").select_for_update()
        rows = {c.id: c for c in locked}
        keep, gone = rows.get(keep_id), rows.get(merge_id)
        if keep is None or gone is None:
            raise NotFound(f"contact {merge_id if keep else keep_id} not found")
        for contact in (keep, gone):
            if contact.merged_into_id is not None:
                raise ValidationError(f"contact {contact.id} was already merged into {contact.merged_into_id}")
        moved: dict[str, int] = {}
        for model, column in contact_references():
            count = await model.filter(**{column: gone.id}).update(**{column: keep.id})
            if count:
                moved[f"{model.__name__}.{column}"] = count
        _fill_blanks(keep, gone)
        await keep.save()
        gone.merged_into_id = keep.id
        await gone.save(update_fields=["merged_into_id", "updated_at"])
        await record(by, "contact.merge", keep, merged_id=gone.id, merged_name=gone.display_name, moved=moved)
        out.emit("contact.merged", contact_id=keep.id, merged_id=gone.id)
    return keep


def _fill_blanks(keep: Contact, gone: Contact) -> None:
    # The kept contact's own values win; the merged one only fills what is empty, notes are joined.
    if not keep.display_name:
        keep.display_name, keep.name_search = gone.display_name, gone.name_search
    for attr in ("account_id", "owner_id", "team_id", "segment"):
        if getattr(keep, attr) is None and getattr(gone, attr) is not None:
            setattr(keep, attr, getattr(gone, attr))
    if gone.notes and gone.notes not in keep.notes:
        keep.notes = f"{keep.notes}\n\n{gone.notes}".strip()
    keep.sms_opt_out = keep.sms_opt_out or gone.sms_opt_out
    keep.unreachable = sorted(set(keep.unreachable or []) | set(gone.unreachable or []))
