"""Python's cycle collector paused while a build makes many objects that live on."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off while the corpus is read (or the search
    index prepared), on again after.

    Reading makes hundreds of thousands of objects that all stay alive (the
    records, their positions): each automatic collection walks them all again,
    a third of the check's time at 1,000 records. Reading makes no cycles that
    matter; whatever cyclic garbage there is, is collected by a later full
    collection. Turned on again, the collector would first walk every object
    made meanwhile (all young): ``freeze`` then ``unfreeze`` moves them to the
    oldest generation unwalked, where long-lived objects belong. While a build
    keeps objects frozen (plugin.py ``on_pre_build``), they stay so, and those
    made meanwhile join them: the build's ``unfreeze`` gives all of them back.
    """
    if not gc.isenabled():
        yield
        return
    frozen = gc.get_freeze_count()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if not frozen:
            gc.unfreeze()
        gc.enable()
