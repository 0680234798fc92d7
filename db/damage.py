"""Reading a row that breaks the rules: what can be shown, marked damaged.

Anyone may have edited a case file with ``sqlite3``: an excerpt whose text
is no longer its span, a date that does not parse, a status or kind the
format does not know, NULL where text belongs, text where a number does.
Every read builds its model through :func:`read_model`: a good row is
validated as ever; a bad one is kept as far as it can be read, each value
coerced to its field's type (unknown choices to the field's default), and
carries ``damage``: what is wrong with it, in one line. The browser shows
the mark where the row appears, ``casebook check`` lists it, exports write
what could be read. Writes still validate strictly.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from .models import Stored

M = TypeVar("M", bound=Stored)

# A reason quotes the value it refused: long values are cut (a 10 MB name).
_REASON_LENGTH = 300
_VALUE_LENGTH = 60


# The damaged rows read inside ``tally()``: (kind, id) -> the reason.
_TALLY: ContextVar[dict[tuple[str, int], str] | None] = ContextVar("damage_tally", default=None)


@contextmanager
def tally() -> Iterator[dict[tuple[str, int], str]]:
    """Collect every damaged row read in this context (an export says which
    rows it wrote as far as they could be read): (kind, id) -> reason."""
    found: dict[tuple[str, int], str] = {}
    token = _TALLY.set(found)
    try:
        yield found
    finally:
        _TALLY.reset(token)


def _noted(item: M) -> M:
    found = _TALLY.get()
    item_id = getattr(item, "id", None)
    if found is not None and item.damage and isinstance(item_id, int):
        kind = type(item).__name__.removesuffix("Record").removesuffix("Info").lower()
        found.setdefault((kind, item_id), item.damage)
    return item


def read_model(model: type[M], data: Mapping[str, Any], *, damage: str = "") -> M:
    """``model`` from a row's values; a row that fails validation is read as
    far as it can be and marked damaged with the reason (``damage`` adds to
    it: what was already found wrong, by a reader that went before)."""
    try:
        item = model.model_validate(data)
    except ValidationError as error:
        return _noted(_repaired(model, data, _join(damage, reason(error))))
    except (TypeError, ValueError) as error:   # a value of a type no validator expected
        return _noted(_repaired(model, data, _join(damage, f"unreadable ({type(error).__name__})")))
    return _noted(item.model_copy(update={"damage": damage})) if damage else item


def _join(*reasons: str) -> str:
    return "; ".join(part for part in reasons if part)[:_REASON_LENGTH]


def reason(error: ValidationError) -> str:
    """What pydantic found wrong, in one short line, each value cut short."""
    parts = []
    for problem in error.errors(include_url=False, include_input=False):
        where = ".".join(str(part) for part in problem["loc"])
        message = str(problem["msg"]).removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return _shorten("; ".join(parts), _REASON_LENGTH)


def _shorten(text: str, length: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[:length - 1] + "…"


def _repaired(model: type[M], data: Mapping[str, Any], why: str) -> M:
    values: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        if name == "damage":
            continue
        default = None if field.is_required() else field.get_default(call_default_factory=True)
        values[name] = _coerce(field.annotation, data.get(name), default)
    values["damage"] = why or "damaged"
    # Built without validation: the model's own rules (a span, a date) are what failed.
    return model.model_construct(**values)


def _coerce(annotation: Any, value: Any, default: Any) -> Any:
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in arguments:
            return None
        first = next(argument for argument in arguments if argument is not type(None))
        return _coerce(first, value, default)
    if origin is Literal:
        if value in arguments:
            return value
        if default in arguments:
            return default
        return "other" if "other" in arguments else arguments[0]
    if annotation is str:
        if isinstance(value, str):
            return value
        if value is None:
            return default if isinstance(default, str) else ""
        if isinstance(value, bytes):
            return value.decode("utf-8", "replace")
        return str(value)
    if annotation is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            return default if isinstance(default, int) else 0
    if annotation is float:
        try:
            return float(value)
        except (TypeError, ValueError):
            return default if isinstance(default, float) else 0.0
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return value if isinstance(value, annotation) else default
    if origin is tuple:
        return tuple(value) if isinstance(value, (tuple, list)) else (default or ())
    if origin is dict:
        return dict(value) if isinstance(value, dict) else (default or {})
    return value if value is not None else default


def not_its_span(item: M, start: int, end: int) -> M:
    """``item`` (an excerpt) marked damaged: its text is not its source's text at its span."""
    why = f"its text is not its source's text at {start}-{end}"
    return _noted(item.model_copy(update={"damage": _join(item.damage, why)}))


def short_value(value: object) -> str:
    """A value as a reason quotes it: repr, cut short."""
    return _shorten(repr(value), _VALUE_LENGTH)
