"""Keeping the garbage collector of the stand-in's process from bunching its arrivals."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def heap_frozen() -> Iterator[None]:
    """While the stand-in counts a rate limit where the calls arrive.

    The stand-in serves from threads of this process: a full collection of a
    large heap (a test session's, or a bench's after planning thousands of
    rows) stopped every thread for about 150 ms, measured, and then let the
    held-back calls in together; the next second then counted more calls
    than had been sent in any second, and answered 429.  Frozen, what exists
    now is never scanned again.
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
