"""Give memory that Python and torch freed back to the system (glibc's malloc_trim).

glibc keeps freed heap pages for reuse; after a burst of temporary tensors (generating
a dataset, a training call) a process can hold 50-200 MB it no longer uses, which
counts against a 768 MB grader. Elsewhere (musl, macOS) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools


@functools.cache
def _libc():
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


def release_free_memory() -> None:
    """Return the freed parts of the heap to the operating system, where the libc can."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
