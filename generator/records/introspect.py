"""What the record models declare, field by field: the one walker of annotations.

Validation (which model or vocabulary sits at an error's location), the
history (how to compare and name a field), the contributor documentation (the
field reference) and the reference walker all read a model's fields through
``fields``, never through ``typing`` or ``model_fields`` themselves.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined


@dataclass(frozen=True)
class ModelField:
    """One field of a model, its annotation unwrapped from Annotated, Optional and list."""

    name: str
    annotation: Any  # as declared: Pydantic's outer Annotated metadata put back
    type: Any  # the concrete type under Annotated, Optional and list (a list's items' type)
    types: tuple[Any, ...]  # all of them, for a union of several
    is_list: bool
    optional: bool  # None is allowed
    validators: frozenset[str]  # names of the functions that validate it ("_check_slug"…), at any level
    description: str | None  # the field's docstring: French, for editors
    required: bool
    info: FieldInfo

    @property
    def model(self) -> type[BaseModel] | None:
        """The nested model (of the field, or of its items), if any."""
        return next((t for t in self.types if isinstance(t, type) and issubclass(t, BaseModel)), None)

    @property
    def enum(self) -> type[Enum] | None:
        """The closed vocabulary of its values, if any."""
        return next((t for t in self.types if isinstance(t, type) and issubclass(t, Enum)), None)

    def default(self) -> Any:
        """Its default value, or None when it has none (a required field)."""
        if self.info.default is not PydanticUndefined:
            return self.info.default
        if self.info.default_factory is not None:
            return self.info.default_factory()  # type: ignore[call-arg]
        return None


def _validator_names(metadata: Iterable[Any]) -> set[str]:
    names = set()
    for item in metadata:
        for function in (item, getattr(item, "func", None)):  # AfterValidator(f).func, or f itself
            name = getattr(function, "__name__", None)
            if name:
                names.add(name)
    return names


def _unwrap(annotation: Any) -> tuple[list[Any], bool, bool, set[str]]:
    """(concrete types, is a list, allows None, validator names) of an annotation."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base, *metadata = typing.get_args(annotation)
        found, is_list, optional, names = _unwrap(base)
        return found, is_list, optional, names | _validator_names(metadata)
    if origin in (typing.Union, types.UnionType):
        found, is_list, optional, names = [], False, False, set()
        for arg in typing.get_args(annotation):
            if arg is type(None):
                optional = True
                continue
            inner, inner_list, inner_optional, inner_names = _unwrap(arg)
            found += inner
            is_list, optional, names = is_list or inner_list, optional or inner_optional, names | inner_names
        return found, is_list, optional, names
    if origin is list:
        found, _, _, names = _unwrap(typing.get_args(annotation)[0])
        return found, True, False, names
    return [annotation], False, False, set()


@functools.cache
def _fields(model: type[BaseModel]) -> dict[str, ModelField]:
    out = {}
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if info.metadata:  # Pydantic moves a field's outer Annotated metadata here
            annotation = typing.Annotated[(annotation, *info.metadata)]
        found, is_list, optional, names = _unwrap(annotation)
        out[name] = ModelField(
            name=name, annotation=annotation, type=found[0] if found else Any, types=tuple(found), is_list=is_list, optional=optional,
            validators=frozenset(names), description=info.description, required=info.is_required(), info=info,
        )
    return out


def fields(model: type[BaseModel]) -> dict[str, ModelField]:
    """The fields of *model*, by name, in their declared order. Do not modify it."""
    return _fields(model)


def models(roots: Iterable[type[BaseModel]]) -> list[type[BaseModel]]:
    """*roots* and every model nested in them, each once, roots first."""
    seen: list[type[BaseModel]] = []
    pending = list(roots)
    while pending:
        model = pending.pop(0)
        if model in seen:
            continue
        seen.append(model)
        pending.extend(field.model for field in fields(model).values() if field.model is not None)
    return seen
