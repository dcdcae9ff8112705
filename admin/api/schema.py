"""A small JSON Schema (2020-12 subset) checker: the schemas in the route table validate input and feed OpenAPI.

Only the keywords the API declares are supported; an unknown keyword is a programming error, so
declarations cannot silently promise checks that never run.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from core.errors import ValidationError

Schema = Mapping[str, Any]
KNOWN = {
    "type", "enum", "minimum", "maximum", "minLength", "maxLength", "pattern", "format", "properties",
    "required", "additionalProperties", "items", "minItems", "maxItems", "$ref", "description", "default",
    "examples", "title", "readOnly",
}  # fmt: skip
_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
    "null": (type(None),),
}


def parse_datetime(text: str) -> datetime:
    """An ISO 8601 / RFC 3339 instant with a UTC offset; ValidationError otherwise."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError("must be an ISO 8601 date-time such as 2026-03-01T09:30:00Z") from None
    if value.tzinfo is None:
        raise ValidationError("needs a UTC offset or Z, e.g. 2026-03-01T09:30:00+03:30")
    return value


def _type_ok(value: Any, name: str) -> bool:
    if isinstance(value, bool) and name not in ("boolean",):
        return False
    if name == "number" and isinstance(value, float) and not math.isfinite(value):
        return False
    return isinstance(value, _TYPES[name])


def _type_name(value: Any) -> str:
    for name in ("null", "boolean", "integer", "number", "string", "array", "object"):
        if _type_ok(value, name):
            return name
    return type(value).__name__


def check(value: Any, schema: Schema, where: str, refs: Mapping[str, Schema] | None = None) -> None:
    """Raise ValidationError naming `where` (e.g. `body.text`) when `value` breaks `schema`."""
    unknown = set(schema) - KNOWN
    if unknown:
        raise AssertionError(f"unsupported schema keywords {sorted(unknown)} at {where}")
    if "$ref" in schema:
        if refs is None:
            raise AssertionError(f"$ref without components at {where}")
        check(value, refs[schema["$ref"].rsplit("/", 1)[-1]], where, refs)
        return
    types = schema.get("type")
    if types is not None:
        names = [types] if isinstance(types, str) else list(types)
        if not any(_type_ok(value, n) for n in names):
            raise ValidationError(f"{where}: expected {' or '.join(names)}, got {_type_name(value)}")
    if "enum" in schema and value not in schema["enum"]:
        raise ValidationError(f"{where}: must be one of {', '.join(map(str, schema['enum']))}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            raise ValidationError(f"{where}: must be at least {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            raise ValidationError(f"{where}: must be at most {schema['maximum']}")
    if isinstance(value, str):
        _check_string(value, schema, where)
    if isinstance(value, list):
        _check_array(value, schema, where, refs)
    if isinstance(value, dict):
        _check_object(value, schema, where, refs)


def _check_string(value: str, schema: Schema, where: str) -> None:
    if "\x00" in value:
        # PostgreSQL text cannot hold NUL; refusing it here keeps both databases answering alike.
        raise ValidationError(f"{where}: must not contain NUL characters")
    if "minLength" in schema and len(value) < schema["minLength"]:
        raise ValidationError(f"{where}: must have at least {schema['minLength']} characters")
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        raise ValidationError(f"{where}: must have at most {schema['maxLength']} characters")
    if "pattern" in schema and not re.search(schema["pattern"], value):
        raise ValidationError(f"{where}: does not match {schema['pattern']}")
    if schema.get("format") == "date-time":
        try:
            parse_datetime(value)
        except ValidationError as exc:
            raise ValidationError(f"{where}: {exc}") from None


def _check_array(value: list[Any], schema: Schema, where: str, refs: Mapping[str, Schema] | None) -> None:
    if "minItems" in schema and len(value) < schema["minItems"]:
        raise ValidationError(f"{where}: needs at least {schema['minItems']} items")
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        raise ValidationError(f"{where}: allows at most {schema['maxItems']} items")
    if "items" in schema:
        for i, item in enumerate(value):
            check(item, schema["items"], f"{where}[{i}]", refs)


def _check_object(value: dict[str, Any], schema: Schema, where: str, refs: Mapping[str, Schema] | None) -> None:
    props: Mapping[str, Schema] = schema.get("properties", {})
    for name in schema.get("required", ()):
        if name not in value:
            raise ValidationError(f"{where}.{name}: is required")
    if schema.get("additionalProperties") is False:
        extra = sorted(set(value) - set(props))
        if extra:
            raise ValidationError(f"{where}: unknown field {extra[0]!r} (allowed: {', '.join(props) or 'none'})")
    for name, sub in props.items():
        if name in value:
            check(value[name], sub, f"{where}.{name}", refs)
