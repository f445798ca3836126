"""Fetch a source's files into the data root, checked against their SHA-256, then unpack them.

A file already there whose checksum matches is used as it is. A download is written beside
its place under a temporary name and renamed only once its checksum matched, so a reader
never sees a partial or corrupt file; a mismatch is deleted and fetched again, a bounded
number of times, then reported. Archives are unpacked, each time, into a temporary folder of
the data root and moved into place whole, replacing what an earlier unpacking left.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import shutil
import tarfile
import tempfile
import urllib.request
import zipfile
from pathlib import Path

from grader.toolkit.datasets.sources import RemoteFile, Source

ATTEMPTS = 3                  # downloads of one file before its checksum mismatch is reported
TIMEOUT_S = 60                # per network read
CHUNK = 1 << 20


class FetchError(Exception):
    """A file could not be made ready; the message says what was expected and where."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def inside(root: Path, relative: str) -> Path:
    """``root / relative``, refused when it would leave the data root."""
    path = (root / relative).resolve()
    if not path.is_relative_to(root.resolve()):
        raise FetchError(f"{relative!r} is outside the data root {root}")
    return path


def missing(name: str, source: Source, root: Path) -> list[str]:
    """What ``source`` still needs under ``root``, one line per file; empty when all is there.

    Only checksums are trusted: a file present without a confirmed one counts as missing.
    """
    lines = []
    for remote in source.files:
        path = inside(root, remote.path)
        if remote.sha256 is None:
            lines.append(_unconfirmed(name, source, remote))
        elif not path.is_file() or sha256_of(path) != remote.sha256:
            state = "corrupt (checksum mismatch)" if path.is_file() else "missing"
            lines.append(f"{name}: {path} is {state}: it should be {remote.url} "
                         f"(sha256 {remote.sha256})")
    return lines


def _unconfirmed(name: str, source: Source, remote: RemoteFile) -> str:
    return (f"{name}: {remote.url} has no confirmed checksum, so it is neither fetched nor "
            f"trusted ({source.note or 'no note'}); give it a sha256 in a sources file "
            "(grader prepare --sources FILE)")


def ensure(name: str, source: Source, root: Path, attempts: int = ATTEMPTS) -> list[bool]:
    """Every file of ``source`` under ``root``, fetched where missing or corrupt, unpacked;
    for each, whether this call fetched it (else it was in place, its checksum matching)."""
    for remote in source.files:  # refuse before fetching anything
        if remote.sha256 is None:
            raise FetchError(_unconfirmed(name, source, remote))
    return [_ensure_file(name, remote, root, attempts) for remote in source.files]


def _ensure_file(name: str, remote: RemoteFile, root: Path, attempts: int) -> bool:
    path = inside(root, remote.path)
    fetched = not (path.is_file() and sha256_of(path) == remote.sha256)
    if fetched:
        _download(name, remote, path, root, attempts)
    if remote.unpack:  # every time: what is unpacked is exactly the verified archive
        _unpack(name, remote, path, root)
    return fetched


def _download(name: str, remote: RemoteFile, path: Path, root: Path, attempts: int) -> None:
    """``remote`` into ``path`` once its checksum matched, else FetchError after ``attempts``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    problems = []
    for _ in range(attempts):
        fd, part = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                got = _copy(remote.url, out)
            if got == remote.sha256:
                os.chmod(part, 0o644)  # graders read it as another user
                os.replace(part, path)
                return
            problems.append(f"checksum mismatch (got sha256 {got})")
        except (OSError, http.client.HTTPException) as exc:  # URLError is an OSError
            problems.append(f"could not fetch it: {exc}")
        finally:
            Path(part).unlink(missing_ok=True)
    _remove_empty(path.parent, root)
    raise FetchError(f"{name}: {remote.url} refused after {attempts} tries ("
                     f"{'; '.join(dict.fromkeys(problems))}); expected sha256 {remote.sha256}. "
                     f"Nothing was kept; put a good copy at {path} yourself, or try again")


def _copy(url: str, out) -> str:
    """Stream ``url`` into ``out``; the SHA-256 of what came."""
    digest = hashlib.sha256()
    with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
        for chunk in iter(lambda: response.read(CHUNK), b""):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def _remove_empty(folder: Path, root: Path) -> None:
    """The folders below ``root`` a refused download made, as long as nothing else is in them."""
    try:
        while folder != root.resolve() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    except OSError:
        pass


def _unpack(name: str, remote: RemoteFile, archive: Path, root: Path) -> None:
    """Unpack a verified archive into a temporary folder, then move ``unpacked`` into place."""
    target = inside(root, remote.unpacked)
    with tempfile.TemporaryDirectory(dir=root, prefix=".unpack-") as scratch:
        made = Path(scratch) / remote.unpacked
        made.parent.mkdir(parents=True, exist_ok=True)
        try:
            UNPACK[remote.unpack](archive, Path(scratch), made)
        except (OSError, EOFError, tarfile.TarError, zipfile.BadZipFile) as exc:
            raise FetchError(f"{name}: {archive} could not be unpacked: {exc}") from None
        if not made.exists():
            raise FetchError(f"{name}: {archive} holds no {remote.unpacked}")
        if target.is_dir():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(made, target)


def _gunzip(archive: Path, scratch: Path, made: Path) -> None:
    with gzip.open(archive) as src, open(made, "wb") as out:
        shutil.copyfileobj(src, out, CHUNK)


def _untar(archive: Path, scratch: Path, made: Path) -> None:
    with tarfile.open(archive) as tar:
        tar.extractall(scratch, filter="data")  # no links out, no absolute or .. names


def _unzip(archive: Path, scratch: Path, made: Path) -> None:
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(scratch)  # zipfile drops absolute and .. parts of names


UNPACK = {"gunzip": _gunzip, "tar": _untar, "zip": _unzip}
