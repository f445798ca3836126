"""Decode once, then reload: a safetensors cache of decoded dataset tensors.

Safetensors, never pickle: a cache file is data, whoever wrote it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

CACHE_ENV = "GRADER_CACHE_DIR"


def cache_dir() -> Path:
    """$GRADER_CACHE_DIR, else ~/.cache/grader."""
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "grader")


def md5sum(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def cached_tensors(key: str, build: Callable[[], dict[str, torch.Tensor]]
                   ) -> dict[str, torch.Tensor]:
    """Tensors saved under ``key`` (which must change when the sources do), built on a miss.

    An unwritable or corrupt cache only costs a rebuild: grading must never
    fail because of it.
    """
    path = cache_dir() / f"{key}.safetensors"
    try:
        return load_file(path)
    except (OSError, ValueError, RuntimeError):
        pass
    tensors = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename, so that concurrent workers never read half a file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        os.close(fd)
        os.chmod(tmp, 0o644)  # a sandboxed worker runs as another user
        save_file({k: v.contiguous() for k, v in tensors.items()}, tmp)
        os.replace(tmp, path)
    except OSError:
        pass
    return tensors
