"""Text that students control, made safe for each place the grader writes it.

A submission's output and exception messages, and a class list's names and
emails, can hold anything: lone surrogates (which no file or terminal can
encode), NULs, invalid UTF-8, terminal escapes, spreadsheet formulas, HTML and
Markdown. `clean` makes any text valid, printable Unicode; it is applied where
such text enters a document the grader writes (results.json, the summaries,
logs). Each format staff or students open then has one escaping function,
used everywhere that format is written: `csv_cell` for spreadsheets,
`markdown`, `markdown_code` and `markdown_block` for Markdown (GitHub,
Gradescope), which also renders HTML. Standard library only: the judge, the
batch tools and the authoring tools all import it.
"""

from __future__ import annotations

import html
import re

REPLACEMENT = "\ufffd"
# CSI sequences (colours, cursor moves), OSC strings (titles, hyperlinks; never past a line's
# end, so an unterminated one takes no later text with it), two-byte escapes.
_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)?|\x1b[@-_]")
# C0 controls except tab and newline, DEL, C1 controls; lone surrogates (no UTF-8 for them).
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# What makes a spreadsheet read a cell as a formula (OWASP's list; tab and CR become spaces).
FORMULA_START = ("=", "+", "-", "@")
# Characters with a meaning in inline Markdown (GitHub's included: tables, strikethrough);
# `_` only where it could start or end emphasis, so snake_case names stay readable as text.
_MARKDOWN = re.compile(r"[\\`*\[\]|~]|(?<![^\W_])_|_(?![^\W_])")


def clean(text: str | bytes) -> str:
    """Valid, printable Unicode: what any file, terminal or JSON document can hold.

    Invalid UTF-8 bytes, lone surrogates, NULs and other control characters become
    U+FFFD; terminal escape sequences are removed; line endings become `\\n`. Tabs
    and newlines stay.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = _ESCAPES.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _UNPRINTABLE.sub(REPLACEMENT, text)


def one_line(text: str | bytes) -> str:
    """`clean`, with tabs and line breaks as spaces: a cell or a list item stays one line."""
    return re.sub(r"[\t\n]", " ", clean(text))


def csv_cell(value: object) -> str:
    """A spreadsheet cell that shows `value` as text and never runs it as a formula.

    A cell that starts like a formula gets a leading `'` (OWASP's rule for CSV
    injection); line breaks become spaces, so a row is one line of the file.
    """
    text = one_line(str(value))
    return "'" + text if text.startswith(FORMULA_START) else text


def markdown(text: str | bytes) -> str:
    """Inline Markdown that shows `text` as written, on one line.

    HTML becomes entities; links, images, emphasis, code and table cell breaks
    are backslash-escaped, so the text can go anywhere inline, table cells included.
    """
    return _MARKDOWN.sub(lambda match: "\\" + match[0], html.escape(one_line(text), quote=False))


def markdown_code(text: str | bytes, *, in_table: bool = False) -> str:
    """`text` as an inline code span, on one line, whatever backticks it holds.

    In a table cell a `|` must be escaped even inside code (GitHub splits cells
    first); anywhere else the escape would show, so say which.
    """
    text = one_line(text)
    if in_table:
        text = text.replace("|", "\\|")
    fence = "`" * (_longest_backtick_run(text) + 1)
    pad = " " if text[:1] in ("`", " ") or text[-1:] in ("`", " ") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def markdown_block(text: str | bytes, info: str = "") -> str:
    """`text` as a fenced code block that no line of it can close."""
    text = clean(text).rstrip("\n")
    fence = "`" * max(3, _longest_backtick_run(text) + 1)
    return f"{fence}{info}\n{text}\n{fence}"


def _longest_backtick_run(text: str) -> int:
    return max((len(run) for run in re.findall("`+", text)), default=0)
