"""Text fields that an object read from the build cache fills only when they are read.

A rebuild after one edit loads the whole build cache, but reads the Markdown
and HTML of only the pages it converts or renders again. ``store`` keeps
these texts apart in the cache file and puts a ``Deferred`` in their place;
reading the field then reads and decodes the text, once, and the object
behaves as if it had held the text all along (equality, hashing,
``dataclasses.replace``, pickling).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T", bound=type)


class Deferred:
    """A text still in the cache file: ``load`` returns it."""

    __slots__ = ()

    def load(self) -> str:
        raise NotImplementedError


def deferred_texts(*names: str) -> Callable[[T], T]:
    """Class decorator, above ``@dataclass(slots=True)``: the named text fields may hold a
    ``Deferred`` (see ``stored``), loaded when the field is first read."""

    def apply(cls: T) -> T:
        for name in names:
            setattr(cls, name, _Loaded(cls.__dict__[name]))
        cls.__deferred_texts__ = names
        return cls

    return apply


def stored(obj: object, name: str) -> object:
    """The field's value as held: its text, or a ``Deferred`` not loaded yet."""
    return type(obj).__dict__[name].slot.__get__(obj)


class _Loaded:
    """Wraps a slot's own descriptor, so that reading it loads a ``Deferred`` in it and keeps
    the text in its place. Setting goes to the slot as before, which the frozen classes'
    ``__init__`` does with ``object.__setattr__``."""

    __slots__ = ("slot",)

    def __init__(self, slot) -> None:
        self.slot = slot

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        value = self.slot.__get__(obj, owner)
        if isinstance(value, Deferred):
            value = value.load()
            self.slot.__set__(obj, value)
        return value

    def __set__(self, obj, value) -> None:
        self.slot.__set__(obj, value)

    def __delete__(self, obj) -> None:
        self.slot.__delete__(obj)
