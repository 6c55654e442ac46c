"""Check an event payload against its TypedDict (pydantic needs typing_extensions on 3.11)."""

from __future__ import annotations

import types
import typing
from typing import Any


def check_payload(schema: Any, value: Any, path: str = "data") -> None:
    """Exactly the declared keys, values of the declared JSON-primitive types; else AssertionError."""
    if typing.is_typeddict(schema):
        assert isinstance(value, dict), f"{path}: {value!r} is not an object"
        hints = typing.get_type_hints(schema)
        assert set(value) == set(hints), f"{path}: keys {sorted(value)} != {sorted(hints)}"
        for key, hint in hints.items():
            check_payload(hint, value[key], f"{path}.{key}")
        return
    origin = typing.get_origin(schema)
    if origin in (typing.Union, types.UnionType):
        errors = []
        for option in typing.get_args(schema):
            try:
                check_payload(option, value, path)
                return
            except AssertionError as exc:
                errors.append(str(exc))
        raise AssertionError(f"{path}: {value!r} matches none of {schema}: {errors}")
    if origin is list:
        assert isinstance(value, list), f"{path}: {value!r} is not a list"
        (item,) = typing.get_args(schema)
        for i, element in enumerate(value):
            check_payload(item, element, f"{path}[{i}]")
        return
    if origin is typing.Literal:
        assert value in typing.get_args(schema), f"{path}: {value!r} not in {schema}"
        return
    if schema is type(None):
        assert value is None, f"{path}: {value!r} is not null"
        return
    if schema is dict:
        assert isinstance(value, dict), f"{path}: {value!r} is not an object"
        return
    if schema is int:
        assert isinstance(value, int) and not isinstance(value, bool), f"{path}: {value!r} not int"
        return
    if schema is str:
        assert isinstance(value, str), f"{path}: {value!r} is not a string"
        return
    raise AssertionError(f"{path}: unsupported schema {schema!r}")
