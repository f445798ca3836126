"""Files a submission carries to be graded as data: a predictions CSV, a safetensors checkpoint.

The judge reads them itself and never runs or unpickles anything in them:

- ``read_predictions`` parses an ``Id,Label`` CSV strictly (header, row count,
  ids 0..N-1 each once, integer labels in range, no extra columns) and returns
  the labels in id order, to be compared with labels only the judge holds.
- ``load_checkpoint`` reads a safetensors file (a header of shapes and dtypes,
  then raw bytes) within a size limit; a pickled checkpoint (``torch.save``:
  ``.pt``, ``.pth``, ...) is refused with the two lines that convert it.

Only regular files are read, opened without following links: a link, pipe or
device in place of a graded file is refused by name (the grader may run as root,
and a link would hand it whatever it names).

Every problem raises ``ArtifactError`` (an AssertionError, so a test fails
with its message) worded for the student: what was expected, what was found,
which line, and how to fix it.
"""

from __future__ import annotations

import csv
import io
import os
import stat
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load as safetensors_load

# What torch.save and pickle write, by suffix: refused, never opened.
PICKLE_SUFFIXES = (".pt", ".pth", ".pkl", ".pickle", ".ckpt", ".bin", ".tar")
HEADER = ("Id", "Label")
MAX_ERRORS_SHOWN = 5
CONVERT = ("from safetensors.torch import save_file\n"
           "save_file({k: v.contiguous() for k, v in model.state_dict().items()}, "
           "\"{name}\")")


class ArtifactError(AssertionError):
    """A submitted file that cannot be graded, with what to change."""


# ---- finding a file ------------------------------------------------------------------------

def find(folder: str | Path, name: str, *, how: str = "") -> Path:
    """``folder/name``; else an ArtifactError that names the file and, when given, ``how``.

    A pickled file of the same stem (``resnet20.pt`` for ``resnet20.safetensors``)
    is refused by name, with the lines that convert it.
    """
    folder, wanted = Path(folder), Path(name)
    path = folder / wanted.name
    _refuse_special(path)
    if path.is_file():
        return path
    pickled = sorted(p.name for p in folder.glob(f"{wanted.stem}.*")
                     if p.suffix.lower() in PICKLE_SUFFIXES) if folder.is_dir() else []
    if pickled and wanted.suffix == ".safetensors":
        raise ArtifactError(_pickle_message(pickled[0], wanted.name))
    hint = f" {how}" if how else ""
    raise ArtifactError(f"Your submission has no {wanted.name}, so this test cannot grade it "
                        "(or the file was over its size limit, or a link: the notes at the "
                        f"top of your results say which).{hint}")


def _refuse_special(path: Path) -> None:
    """An ArtifactError for a link, pipe or device at `path`: the grader, maybe root, reads
    only regular files, never what a link names."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISLNK(mode):
        raise ArtifactError(f"{path.name} is a symbolic link; submit the file itself.")
    if not stat.S_ISREG(mode):
        raise ArtifactError(f"{path.name} is not a regular file; submit the file itself.")


def _read(path: Path) -> bytes:
    """A regular file's bytes, opened without following a link."""
    _refuse_special(path)
    with open(os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC),
              "rb") as file:
        return file.read()


def _pickle_message(found: str, wanted: str) -> str:
    return (f"{found} is a pickle (torch.save), which the grader never loads: unpickling runs "
            f"code. Submit the weights as {wanted} instead; convert them with\n"
            + CONVERT.replace("{name}", wanted))


# ---- predictions CSV -----------------------------------------------------------------------

def read_predictions(source: str | Path | bytes, rows: int, *, num_classes: int,
                     name: str = "predictions.csv", max_bytes: int = 1 << 20) -> torch.Tensor:
    """The labels of an ``Id,Label`` CSV, in id order (int64, ``rows`` of them).

    The file must have exactly the header ``Id,Label`` (a UTF-8 byte-order mark
    and spaces around fields are tolerated), then one row per image: ``Id`` an
    integer from 0 to ``rows - 1``, each once, in any order; ``Label`` an
    integer class from 0 to ``num_classes - 1``.
    """
    data = source if isinstance(source, bytes) else _read(Path(source))
    if len(data) > max_bytes:
        raise ArtifactError(f"{name} is {len(data) // 1024} KB; at most {max_bytes // 1024} KB "
                            f"is read (one row per image: {rows} rows).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArtifactError(f"{name} is not a UTF-8 text file (byte {exc.start}); write it "
                            "with open(path, \"w\") and plain text rows.") from None
    table = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    if not table:
        raise ArtifactError(f"{name} is empty; expected the header Id,Label and {rows} rows.")
    header = tuple(cell.strip() for cell in table[0])
    if header != HEADER:
        raise ArtifactError(f"{name}: the first line must be the header Id,Label, found "
                            f"{','.join(header)!r}" + (" (a data row: add the header line)"
                                                       if _is_int(header[0]) else "") + ".")
    body = table[1:]
    if len(body) != rows:
        raise ArtifactError(f"{name} has {len(body)} rows after the header; expected {rows}, "
                            "one per test image, in the order the images were given.")
    return _labels(body, rows, num_classes, name)


def _is_int(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


def _labels(body: list[list[str]], rows: int, num_classes: int, name: str) -> torch.Tensor:
    labels = torch.full((rows,), -1, dtype=torch.int64)
    problems: list[str] = []
    for line, row in enumerate(body, start=2):  # line 1 is the header
        problem = _row_problem(row, rows, num_classes, labels)
        if problem:
            problems.append(f"line {line}: {problem}")
        if len(problems) >= MAX_ERRORS_SHOWN:
            break
    if not problems:
        missing = (labels < 0).nonzero().flatten().tolist()
        if missing:
            problems.append(f"missing ids {_listed(missing)}")
    if problems:
        raise ArtifactError(f"{name} cannot be graded:\n  " + "\n  ".join(problems))
    return labels


def _row_problem(row: list[str], rows: int, num_classes: int, labels: torch.Tensor) -> str:
    """What is wrong with one data row (empty: nothing), recording its label."""
    cells = [cell.strip() for cell in row]
    if len(cells) != 2:
        return f"{len(cells)} columns ({','.join(cells)!r}); expected 2: Id,Label"
    if not _is_int(cells[0]):
        return f"Id {cells[0]!r} is not an integer"
    if not _is_int(cells[1]):
        return (f"Label {cells[1]!r} is not an integer class (write the arg-max class index, "
                "e.g. logits.argmax(1), not a probability or a name)")
    index, label = int(cells[0]), int(cells[1])
    if not 0 <= index < rows:
        return f"Id {index} is out of range 0..{rows - 1}"
    if not 0 <= label < num_classes:
        return f"Label {label} is out of range 0..{num_classes - 1}"
    if labels[index] >= 0:
        return f"Id {index} appears twice"
    labels[index] = label
    return ""


def _listed(values: list[int]) -> str:
    shown = ", ".join(map(str, values[:MAX_ERRORS_SHOWN]))
    return shown + (f" and {len(values) - MAX_ERRORS_SHOWN} more" if len(values) >
                    MAX_ERRORS_SHOWN else "")


# ---- safetensors checkpoints ---------------------------------------------------------------

def load_checkpoint(path: str | Path, *, max_bytes: int) -> dict[str, torch.Tensor]:
    """The tensors of a safetensors file, as float32 (integer buffers kept), within ``max_bytes``.

    Refused with a message: a pickle suffix or pickled content, a file over the
    limit, a header that does not parse, a tensor whose bytes do not fit its shape.
    """
    path = Path(path)
    if path.suffix.lower() in PICKLE_SUFFIXES:
        raise ArtifactError(_pickle_message(path.name, f"{path.stem}.safetensors"))
    size = os.lstat(path).st_size  # a link is refused below, by name
    if size > max_bytes:
        raise ArtifactError(f"{path.name} is {size / 2**20:.1f} MB; at most "
                            f"{max_bytes / 2**20:.1f} MB is accepted. Save only the model's "
                            "state_dict (no optimizer state), in float32.")
    data = _read(path)
    try:  # recognised by parsing: a safetensors header's length may start with any byte
        tensors = safetensors_load(data)
    except (SafetensorError, ValueError, RuntimeError) as exc:
        if data[:2] == b"PK" or data[:1] == b"\x80":  # torch.save's zip, or a bare pickle
            raise ArtifactError(_pickle_message(path.name, path.name).replace(
                " is a pickle", " holds a pickle (it was written by torch.save)")) from None
        raise ArtifactError(f"{path.name} is not a readable safetensors file ({exc}). Write "
                            "it with safetensors.torch.save_file.") from None
    return {key: t.float() if t.is_floating_point() else t for key, t in tensors.items()}
