"""Decode once, then reload: a safetensors cache of decoded dataset tensors.

Safetensors, never pickle, and a digest check on every load: a cache file is
untrusted data, whoever wrote it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

CACHE_ENV = "GRADER_CACHE_DIR"


def cache_dir() -> Path:
    """$GRADER_CACHE_DIR, else ~/.cache/grader."""
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "grader")


def md5sum(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def tensors_digest(tensors: dict[str, torch.Tensor]) -> str:
    """SHA-256 over names, dtypes, shapes and bytes of ``tensors``."""
    h = hashlib.sha256()
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        h.update(f"{name}:{t.dtype}:{tuple(t.shape)}:".encode())
        h.update(t.numpy().tobytes())
    return h.hexdigest()


def cached_tensors(key: str, build: Callable[[], dict[str, torch.Tensor]],
                   sha256: str) -> dict[str, torch.Tensor]:
    """Tensors saved under ``key``, built on a miss; both checked against ``sha256``.

    The digest matters because the cache is outside the judge's control (a
    worker running as the same user could rewrite held-out labels there).
    An unwritable, corrupt or tampered cache only costs a rebuild.
    """
    path = cache_dir() / f"{key}.safetensors"
    try:
        tensors = load_file(path)
        if tensors_digest(tensors) == sha256:
            return tensors
    except (OSError, SafetensorError):
        pass
    tensors = build()
    if tensors_digest(tensors) != sha256:
        raise RuntimeError(f"decoded {key} does not match its expected digest")
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
