"""Turn a reference solution into a student skeleton (stdlib only).

Markers are comments, found with ``tokenize`` so that text inside strings never counts.

``# BEGIN SOLUTION`` ... ``# END SOLUTION``
    Whole-line comments enclosing a block (no nesting). Inside a function (module
    function, method or nested function) the block becomes
    ``raise NotImplementedError("<message>")`` at the indentation of the BEGIN line.
    If the block's first non-blank line is ``# TODO: <prompt>``, that line and the
    comment lines right after it are kept verbatim above the raise and, joined with
    spaces and without their ``#``, become the message. Otherwise the message is
    ``TODO: complete <qualname>``, e.g. ``SimpleCNN.forward`` or ``outer.inner``.
    At module or class level a raise would break the import, so there the block is
    removed and only its TODO comment lines are kept (``# TODO: complete <class or
    module>`` if it has none).
``code  # SOLUTION ONLY``
    The whole line is left out of the skeleton.
``code  # SOLUTION: <replacement>``
    The skeleton line is ``<replacement>`` (trailing comment included) at the
    indentation of the original line.

A comment that looks like a marker but is not exactly one (``# BEGIN SOLUTON``,
``# END``, ``#BEGIN SOLUTION``, ``# begin solution``, a BEGIN/END after code, a
``# SOLUTION`` marker on a line without code) is a ``SkeletonError``, as are
unpaired or nested blocks and a skeleton that would not parse.
"""

import ast
import io
import itertools
import json
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

_BLOCK_LIKE = re.compile(r"#\s*(?:BEGIN|END)\b|#\s*(?i:(?:begin|end)\s+solution)")
_BLOCK = re.compile(r"# (BEGIN|END) SOLUTION\s*")
_SUFFIX_LIKE = re.compile(r"#\s*SOLUTION\b")
_ONLY = re.compile(r"# SOLUTION ONLY\s*")
_VALUE = re.compile(r"# SOLUTION:(.*)")
_TODO = re.compile(r"#\s*TODO:")


class SkeletonError(Exception):
    """A malformed marker or an unusable solution file, reported as ``file:line: why``."""

    def __init__(self, filename: str, line: int, message: str):
        super().__init__(f"{filename}:{line}: {message}")
        self.filename = filename
        self.line = line


@dataclass(frozen=True)
class _Marker:
    kind: str  # "BEGIN", "END", "ONLY" or "VALUE"
    col: int  # where the marker comment starts on its line
    replacement: str = ""


@dataclass(frozen=True)
class _Scope:
    start: int
    end: int
    is_class: bool
    qualname: str


def make_skeleton(source: str, filename: str) -> str:
    """The student version of ``source``: solution blocks and instructor lines replaced."""
    lines, tree, markers, blocks = _prepare(source, filename)
    scopes = _scopes(tree)
    out: list[tuple[int, str]] = []  # (source line, skeleton text), to report errors
    row = 1
    while row <= len(lines):
        if row in blocks:
            out += _block_lines(lines, range(row, blocks[row] + 1), scopes, filename)
            row = blocks[row] + 1
            continue
        marker, line = markers.get(row), lines[row - 1]
        if marker is None or marker.kind not in ("ONLY", "VALUE"):
            out.append((row, line))
        elif marker.kind == "VALUE":
            out.append((row, _indent(line) + marker.replacement))
        row += 1
    return _render(out, filename)


def strip_solution_markers(source: str, filename: str) -> str:
    """The solution without its markers; comments aside, the code is unchanged."""
    lines, _, markers, _ = _prepare(source, filename)
    out = []
    for row, line in enumerate(lines, 1):
        marker = markers.get(row)
        if marker is None:
            out.append((row, line))
        elif marker.kind in ("ONLY", "VALUE"):
            out.append((row, line[: marker.col].rstrip()))
    return _render(out, filename)


def solution_lines(source: str, filename: str) -> set[int]:
    """Numbers of the lines students write: inside solution blocks, and marked lines."""
    _, _, markers, blocks = _prepare(source, filename)
    inside = {row for begin, end in blocks.items() for row in range(begin + 1, end)}
    return inside | {row for row, marker in markers.items() if marker.kind in ("ONLY", "VALUE")}


def qualname_at(tree: ast.AST, line: int) -> str:
    """The dotted name of the innermost def or class whose body holds ``line``, or ``""``."""
    around = [scope for scope in _scopes(tree) if scope.start < line <= scope.end]
    return max(around, key=lambda scope: scope.start).qualname if around else ""


def transform_tree(src_dir: str | Path, dst_dir: str | Path) -> list[Path]:
    """Write the skeleton of every ``*.py`` directly in ``src_dir`` to ``dst_dir``.

    Every file is transformed before any is written, so an error leaves ``dst_dir`` alone.
    """
    src, dst = Path(src_dir), Path(dst_dir)
    if src.resolve() == dst.resolve():
        raise ValueError(f"refusing to overwrite the solution in {src} with its skeleton")
    skeletons = {
        dst / path.name: make_skeleton(path.read_text(encoding="utf-8"), str(path))
        for path in sorted(src.glob("*.py"))
        if path.is_file()
    }
    dst.mkdir(parents=True, exist_ok=True)
    for target, text in skeletons.items():
        target.write_text(text, encoding="utf-8", newline="\n")
    return list(skeletons)


def _prepare(source: str, filename: str):
    """Lines, syntax tree, markers by line and blocks (BEGIN line -> END line) of a solution."""
    text = source.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines[-1] == "":  # the final newline ends the last line, it does not start one
        lines.pop()
    text = "".join(line + "\n" for line in lines)
    try:
        tree = ast.parse(text, filename)
    except SyntaxError as exc:
        raise SkeletonError(filename, exc.lineno or 1, f"not valid Python: {exc.msg}") from None
    markers = {}
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type == tokenize.COMMENT:
            row, col = tok.start
            whole_line = not lines[row - 1][:col].strip()
            marker = _classify(tok.string, col, whole_line, filename, row)
            if marker is not None:
                markers[row] = marker
    return lines, tree, markers, _pair_blocks(markers, filename)


def _classify(
    comment: str, col: int, whole_line: bool, filename: str, row: int
) -> _Marker | None:
    """The marker in one comment token, None for an ordinary comment."""

    def fail(why: str) -> SkeletonError:
        return SkeletonError(filename, row, f"{why}: {comment.strip()!r}")

    if _BLOCK_LIKE.match(comment):
        block = _BLOCK.fullmatch(comment)
        if block is None:
            raise fail("malformed marker, expected '# BEGIN SOLUTION' or '# END SOLUTION'")
        if not whole_line:
            raise fail("a block marker must be on a line of its own")
        return _Marker(block.group(1), col)
    suffix = _SUFFIX_LIKE.search(comment)
    if suffix is None:
        return None
    if whole_line:
        raise fail("a '# SOLUTION' marker goes at the end of a line of code")
    rest, col = comment[suffix.start():], col + suffix.start()
    if _ONLY.fullmatch(rest):
        return _Marker("ONLY", col)
    value = _VALUE.fullmatch(rest)
    if value is None or not value.group(1).strip():
        raise fail("malformed marker, expected '# SOLUTION ONLY' or '# SOLUTION: <replacement>'")
    return _Marker("VALUE", col, value.group(1).strip())


def _pair_blocks(markers: dict[int, _Marker], filename: str) -> dict[int, int]:
    blocks: dict[int, int] = {}
    begin = None
    for row in sorted(markers):
        kind = markers[row].kind
        if kind == "BEGIN" and begin is not None:
            raise SkeletonError(
                filename, row, f"nested '# BEGIN SOLUTION' (the block of line {begin} is open)"
            )
        if kind == "BEGIN":
            begin = row
        elif kind == "END" and begin is None:
            raise SkeletonError(filename, row, "'# END SOLUTION' without '# BEGIN SOLUTION'")
        elif kind == "END":
            blocks[begin], begin = row, None
    if begin is not None:
        raise SkeletonError(filename, begin, "'# BEGIN SOLUTION' without '# END SOLUTION'")
    return blocks


def _scopes(tree: ast.AST) -> list[_Scope]:
    """Every def and class with its line range and dotted qualified name."""
    found = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = prefix + child.name
                is_class = isinstance(child, ast.ClassDef)
                found.append(_Scope(child.lineno, child.end_lineno, is_class, name))
                visit(child, name + ".")
            else:
                visit(child, prefix)

    visit(tree, "")
    return found


def _block_lines(lines: list[str], block: range, scopes: list[_Scope], filename: str):
    """Skeleton lines standing for the block spanning ``block`` (BEGIN to END lines)."""
    begin, body = block.start, range(block.start + 1, block.stop - 1)
    todo = _todo_rows(lines, body)
    kept = [(row, lines[row - 1]) for row in todo]
    prompt = " ".join(filter(None, (lines[row - 1].strip().lstrip("#").strip() for row in todo)))
    # Statements of the block lie inside their def's range; the BEGIN comment may not.
    code = next((row for row in body if _is_code(lines[row - 1])), begin)
    scope = max(
        (s for s in scopes if s.start < code <= s.end), key=lambda s: s.start, default=None
    )
    indent = _indent(lines[begin - 1])
    if scope is None or scope.is_class:
        where = scope.qualname if scope else Path(filename).stem
        return kept or [(begin, f"{indent}# TODO: complete {where}")]
    message = json.dumps(prompt or f"TODO: complete {scope.qualname}", ensure_ascii=False)
    return kept + [(begin, f"{indent}raise NotImplementedError({message})")]


def _todo_rows(lines: list[str], body: range) -> list[int]:
    """Lines of the TODO prompt opening a block: ``# TODO:`` and the comments right after."""
    start = next((row for row in body if lines[row - 1].strip()), None)
    if start is None or not _TODO.match(lines[start - 1].lstrip()):
        return []
    rows = range(start, body.stop)
    return list(itertools.takewhile(lambda row: lines[row - 1].lstrip().startswith("#"), rows))


def _is_code(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _render(out: list[tuple[int, str]], filename: str) -> str:
    """Join the lines, refusing output that does not parse (reported at its source line)."""
    text = "".join(line + "\n" for _, line in out)
    try:
        ast.parse(text, filename)
    except SyntaxError as exc:
        rows = [row for row, _ in out] or [1]
        row = rows[min(max(exc.lineno or 1, 1), len(rows)) - 1]
        raise SkeletonError(
            filename, row, f"the generated file is not valid Python near here: {exc.msg}"
        ) from None
    return text
