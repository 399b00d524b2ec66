"""Building plan models from values the planner already knows to be valid.

A batch makes thousands of plans a second; pydantic's validation (and even `model_construct`,
which walks every field's aliases and defaults) would dominate the time. `trusted` fills the
instance the way `model_construct` does, in one step. Only for values the planner made
itself: every field of the model must be given; a test round-trips plans through full
validation to keep this honest.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

_FIELDS: dict[type[BaseModel], tuple[tuple[str, ...], set[str]]] = {}


def trusted(cls: type[M], **values: Any) -> M:
    """An instance of `cls` from all of its fields' values, without validation."""
    known = _FIELDS.get(cls)
    if known is None:
        names = tuple(cls.model_fields)
        known = _FIELDS[cls] = (names, set(names))
    names, name_set = known
    if len(values) != len(names):
        missing = name_set.difference(values)
        extra = set(values).difference(name_set)
        raise TypeError(f"{cls.__name__}: missing {sorted(missing)}, unknown {sorted(extra)}")
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", {name: values[name] for name in names})
    object.__setattr__(obj, "__pydantic_fields_set__", name_set)
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj
