"""Mutants of a reference solution: one small change each, only in what students write.

A node is mutated only when all its lines are solution lines: inside a ``# BEGIN
SOLUTION`` block or marked ``# SOLUTION ONLY`` / ``# SOLUTION: ...`` (skeleton.py finds
them). A mutation replaces the exact source span of one node or operator token, so the
rest of the file keeps its text and a survivor reads as a small diff. Mutants that do
not compile, or read the same as the reference or as an earlier mutant, are dropped.

A mutant's id, ``file:line:col:operator:index``, names the node it changes (1-based line
and column), the operator family, and which of that family's changes at that node it is;
it stays the same while the reference's text does.
"""

from __future__ import annotations

import ast
import difflib
import io
import textwrap
import tokenize
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from grader.assignment import Assignment
from grader.authoring.project import solution_files
from grader.authoring.skeleton import qualname_at, solution_lines

ARITHMETIC = {ast.Add: "-", ast.Sub: "+", ast.Mult: "/", ast.Div: "*", ast.FloorDiv: "/",
              ast.Mod: "//", ast.Pow: "*", ast.MatMult: "*"}
COMPARISONS = {ast.Lt: "<=", ast.LtE: "<", ast.Gt: ">=", ast.GtE: ">", ast.Eq: "!=",
               ast.NotEq: "==", ast.Is: "is not", ast.IsNot: "is", ast.In: "not in",
               ast.NotIn: "in"}
REDUCTIONS = {"mean": "sum", "sum": "mean", "none": "mean"}
AXIS_KEYWORDS = {"dim", "axis", "ddof", "correction"}  # an int swapped between 0 and 1
FLAG_KEYWORDS = {"keepdim", "keepdims", "unbiased"}
RETURNS_RECEIVER = {"eval", "train"}  # `model.eval()` -> `model`
SYMMETRIC = {"min", "max", "minimum", "maximum"}  # swapping their arguments changes nothing

_CONV = ("in_channels", "out_channels", "kernel_size", "stride", "padding")
_POOL = ("kernel_size", "stride", "padding")
_DIMS = ("1d", "2d", "3d")
LAYER_PARAMETERS = {
    "Linear": ("in_features", "out_features"),
    **{f"{kind}{d}": _CONV for kind in ("Conv", "ConvTranspose") for d in _DIMS},
    **{f"{kind}{d}": _POOL for kind in ("MaxPool", "AvgPool") for d in _DIMS},
    **{f"BatchNorm{d}": ("num_features",) for d in _DIMS},
    **{name: ("p",) for name in ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d",
                                 "AlphaDropout")},
}
# Settings a layer that leaves them at their default gets as a mutant.
ADDED_SETTINGS = {
    **{f"{kind}{d}": ("stride=2", "padding=1") for kind in ("Conv", "ConvTranspose")
       for d in _DIMS},
    **{f"{kind}{d}": ("stride=1",) for kind in ("MaxPool", "AvgPool") for d in _DIMS},
}


@dataclass(frozen=True)
class Mutant:
    """A solution file with one change."""

    id: str
    file: str
    line: int
    col: int
    operator: str
    function: str  # qualified name of the def or class it sits in; "" at module level
    change: str  # "old -> new", shortened
    statement: tuple[int, int]  # first and last line of the statement it changes
    body: tuple[int, int]  # first and last line of the body of the function it sits in
    original: str = field(repr=False)  # the reference file
    text: str = field(repr=False)  # the mutated file

    @property
    def place(self) -> str:
        """``file:function``, as `[[mutation.design]]` names a function."""
        return f"{self.file}:{self.function}"

    def diff(self) -> str:
        return "".join(difflib.unified_diff(
            self.original.splitlines(keepends=True), self.text.splitlines(keepends=True),
            f"a/{self.file}", f"b/{self.file}", n=2))


@dataclass(frozen=True)
class _Change:
    start: int  # character offsets into the file
    end: int
    text: str


class _Module:
    """A file's text and tree, with ast positions (UTF-8 byte columns) as character offsets."""

    def __init__(self, text: str, filename: str):
        self.text = text
        self.tree = ast.parse(text, filename)
        self.lines = text.split("\n")
        self.line_starts = [0]
        for line in self.lines:
            self.line_starts.append(self.line_starts[-1] + len(line) + 1)
        # (start, end) of each operator or keyword token; brackets are no operators
        self.operator_tokens = [
            (self.line_starts[t.start[0] - 1] + t.start[1],
             self.line_starts[t.end[0] - 1] + t.end[1])
            for t in tokenize.generate_tokens(io.StringIO(text).readline)
            if t.type in (tokenize.OP, tokenize.NAME) and t.string not in ("(", ")")]
        self.parents = {child: node for node in ast.walk(self.tree)
                        for child in ast.iter_child_nodes(node)}
        # Names whose attributes are functions rather than methods of a value.
        self.namespaces = {"self"} | {
            (alias.asname or alias.name).split(".")[0] for node in ast.walk(self.tree)
            if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names}

    def offset(self, line: int, byte_col: int) -> int:
        return self.line_starts[line - 1] + len(self.lines[line - 1].encode()[:byte_col].decode())

    def start(self, node: ast.AST) -> int:
        return self.offset(node.lineno, node.col_offset)

    def end(self, node: ast.AST) -> int:
        return self.offset(node.end_lineno, node.end_col_offset)

    def segment(self, node: ast.AST) -> str:
        return self.text[self.start(node):self.end(node)]

    def operator_between(self, left: ast.AST, right: ast.AST) -> tuple[int, int]:
        """The span of the operator tokens between two operands (`+`, `not in`)."""
        low, high = self.end(left), self.start(right)
        inside = [(start, end) for start, end in self.operator_tokens
                  if low <= start and end <= high]
        return inside[0][0], inside[-1][1]

    def statement(self, node: ast.AST) -> tuple[int, int]:
        """First and last line of the innermost statement holding ``node`` (or being it)."""
        while not isinstance(node, ast.stmt):
            node = self.parents[node]
        return node.lineno, node.end_lineno

    def body(self, node: ast.AST) -> tuple[int, int]:
        """First and last line of the body of the innermost function holding ``node``."""
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return node.body[0].lineno, node.end_lineno
        return 1, len(self.lines)

    def replace(self, node: ast.AST, text: str) -> _Change:
        return _Change(self.start(node), self.end(node), text)


def _arith(node: ast.AST, module: _Module) -> Iterator[_Change]:
    if isinstance(node, ast.BinOp):
        left, right, suffix = node.left, node.right, ""
    elif isinstance(node, ast.AugAssign):
        left, right, suffix = node.target, node.value, "="
    else:
        return
    if type(node.op) in ARITHMETIC:
        yield _Change(*module.operator_between(left, right), ARITHMETIC[type(node.op)] + suffix)


def _compare(node: ast.AST, module: _Module) -> Iterator[_Change]:
    if isinstance(node, ast.Compare):
        operands = [node.left, *node.comparators]
        for op, left, right in zip(node.ops, operands, operands[1:]):
            yield _Change(*module.operator_between(left, right), COMPARISONS[type(op)])


def _const(node: ast.AST, module: _Module) -> Iterator[_Change]:
    if isinstance(node, ast.Constant):
        for value in _nearby(node.value):
            yield module.replace(node, repr(value))


def _nearby(value: object) -> list:
    """Values a slip of the pen turns a literal into: 0/1, n +- 1, half or double."""
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value + 1, value - 1] if value else [1]
    if isinstance(value, float):
        return [value / 2, value * 2] if value else [1.0]
    return []


def _keyword(node: ast.AST, module: _Module) -> Iterator[_Change]:
    if not isinstance(node, ast.keyword):
        return
    value = _literal(node.value)
    if node.arg in AXIS_KEYWORDS and type(value) is int:
        yield module.replace(node.value, "0" if value else "1")
    elif node.arg in FLAG_KEYWORDS and isinstance(value, bool):
        yield module.replace(node.value, repr(not value))
    elif node.arg == "reduction" and value in REDUCTIONS:
        quote = module.segment(node.value)[0]
        yield module.replace(node.value, f"{quote}{REDUCTIONS[value]}{quote}")


def _literal(node: ast.AST) -> object:
    """The value of a literal (a negative number too), else None."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        value = _literal(node.operand)
        return -value if type(value) in (int, float) else None
    return node.value if isinstance(node, ast.Constant) else None


def _layer(node: ast.AST, module: _Module) -> Iterator[_Change]:
    name = _callee(node)
    if name not in LAYER_PARAMETERS:
        return
    given = dict(zip(LAYER_PARAMETERS[name], node.args))
    given.update((k.arg, k.value) for k in node.keywords if k.arg in LAYER_PARAMETERS[name])
    for parameter, value in given.items():
        for text in _layer_values(parameter, _literal(value)):
            yield module.replace(value, text)
    last = max((module.end(n) for n in [*node.args, *node.keywords]), default=None)
    for setting in ADDED_SETTINGS.get(name, ()):
        if setting.split("=")[0] not in given and last is not None:
            yield _Change(last, last, f", {setting}")


def _layer_values(parameter: str, value: object) -> list[str]:
    """Other values of one hyper-parameter: sizes +- 1, dropout on or off."""
    if parameter == "p":
        return ["0.5" if value == 0 else "0.0"]
    if type(value) is not int:
        return []
    lowest = 0 if parameter == "padding" else 1
    return [str(n) for n in (value + 1, value - 1) if n >= lowest]


def _swap_args(node: ast.AST, module: _Module) -> Iterator[_Change]:
    if isinstance(node, ast.Call) and _callee(node) not in SYMMETRIC:
        for a, b in zip(node.args, node.args[1:]):
            between = module.text[module.end(a):module.start(b)]
            yield _Change(module.start(a), module.end(b),
                          module.segment(b) + between + module.segment(a))


def _drop_stmt(node: ast.AST, module: _Module) -> Iterator[_Change]:
    if isinstance(node, ast.AugAssign) or (
            isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
        yield module.replace(node, "pass")


def _drop_call(node: ast.AST, module: _Module) -> Iterator[_Change]:
    """`x.eval()` -> `x`; `f(x)` -> `x` for a function of one argument.

    Not for classes (their call builds a new object) nor methods of values (`x.to(d)`,
    `x.flatten(1)`), whose argument alone means nothing.
    """
    if not isinstance(node, ast.Call) or isinstance(module.parents.get(node), ast.Expr):
        return  # a call that is a whole statement: _drop_stmt drops it
    name = _callee(node)
    if name in RETURNS_RECEIVER and isinstance(node.func, ast.Attribute):
        yield module.replace(node, _as_operand(node.func.value, module))
    elif (len(node.args) == 1 and not node.keywords and not name[:1].isupper()
          and (isinstance(node.func, ast.Name) or _root_name(node.func) in module.namespaces)):
        yield module.replace(node, _as_operand(node.args[0], module))


def _callee(node: ast.AST) -> str:
    """The last name of what a call calls (`nn.Linear(...)` -> "Linear"), else ""."""
    func = node.func if isinstance(node, ast.Call) else None
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _root_name(node: ast.AST) -> str:
    """The name an attribute chain starts from (`torch.cuda.synchronize` -> "torch")."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else ""


def _as_operand(node: ast.AST, module: _Module) -> str:
    """The node's text, bracketed unless it binds tighter than any operator."""
    atoms = (ast.Name, ast.Attribute, ast.Call, ast.Subscript, ast.Constant, ast.List,
             ast.Tuple, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp,
             ast.GeneratorExp)
    text = module.segment(node)
    return text if isinstance(node, atoms) else f"({text})"


def _unwrap_with(node: ast.AST, module: _Module) -> Iterator[_Change]:
    """`with torch.no_grad(): body` -> body, dedented to the `with`'s indentation."""
    if not isinstance(node, (ast.With, ast.AsyncWith)) or node.body[0].lineno == node.lineno:
        return
    body = module.text[module.line_starts[node.body[0].lineno - 1]:module.end(node.body[-1])]
    indent = module.lines[node.lineno - 1][:module.start(node) - module.line_starts[node.lineno - 1]]
    yield module.replace(node, textwrap.indent(textwrap.dedent(body), indent)[len(indent):])


def _return_operand(node: ast.AST, module: _Module) -> Iterator[_Change]:
    """`return a / b` -> `return a` and `return b` (also for each item of a returned tuple)."""
    if not isinstance(node, ast.Return) or node.value is None:
        return
    values = node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]
    for value in values:
        if isinstance(value, ast.BinOp):
            for operand in (value.left, value.right):
                yield module.replace(value, module.segment(operand))


# Operator families, in the order their mutants of one node are listed.
OPERATORS: dict[str, Callable[[ast.AST, _Module], Iterator[_Change]]] = {
    "arith": _arith, "compare": _compare, "keyword": _keyword, "layer": _layer,
    "swap_args": _swap_args, "drop_stmt": _drop_stmt, "drop_call": _drop_call,
    "unwrap_with": _unwrap_with, "return_operand": _return_operand, "const": _const,
}


def mutants(source: str, filename: str) -> list[Mutant]:
    """Every mutant of one solution file, in file order; ``filename`` names it in ids."""
    text = source.replace("\r\n", "\n").replace("\r", "\n")
    module = _Module(text, filename)
    indices: Counter = Counter()
    seen = {text}
    result = []
    for place, operator, change, spans in _changes(module, solution_lines(text, filename)):
        (line, col, _), index = place, indices[place]
        indices[place] += 1
        mutated = text[:change.start] + change.text + text[change.end:]
        if mutated in seen or not _compiles(mutated, filename):
            continue
        seen.add(mutated)
        result.append(Mutant(
            f"{filename}:{line}:{col}:{operator}:{index}", filename, line, col, operator,
            qualname_at(module.tree, line), _describe(text[change.start:change.end], change.text),
            *spans, text, mutated))
    return result


def _changes(module: _Module, region: set[int]
             ) -> list[tuple[tuple, str, _Change, tuple]]:
    """Every change of a node lying on ``region``'s lines, as ((line, col, rank), operator,
    (statement, body) lines), ordered by place then operator family."""
    found = []
    for node in ast.walk(module.tree):
        lines = range(getattr(node, "lineno", 0), getattr(node, "end_lineno", -1) + 1)
        if not lines or not region.issuperset(lines):
            continue
        col = module.start(node) - module.line_starts[node.lineno - 1] + 1
        spans = module.statement(node), module.body(node)
        for rank, (operator, family) in enumerate(OPERATORS.items()):
            found += [((node.lineno, col, rank), operator, change, spans)
                      for change in family(node, module)]
    # Nested nodes may start at one place (`a - b - c`): the index tells their changes
    # apart, in ast.walk's order (outer first), which the stable sort keeps.
    return sorted(found, key=lambda item: item[0])


def _compiles(text: str, filename: str) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarning of odd but valid code
        try:
            compile(text, filename, "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            return False
    return True


def _describe(old: str, new: str, width: int = 60) -> str:
    def short(text: str) -> str:
        return textwrap.shorten(text, width, placeholder=" ...")

    return f"{short(old)} -> {short(new)}" if old else f"added {short(new.strip(' ,'))}"


def generate(assignment: Assignment, reference: Path) -> list[Mutant]:
    """The mutants of every solution file of ``reference``, file by file."""
    return [mutant for path in solution_files(assignment, reference)
            for mutant in mutants(path.read_text(encoding="utf-8"),
                                  path.relative_to(reference).as_posix())]


def sample(found: list[Mutant], size: int) -> list[Mutant]:
    """``size`` mutants spread evenly over the functions, and within each over its mutants.

    Deterministic; the chosen mutants keep their order in ``found``.
    """
    groups: dict[tuple[str, str], list[Mutant]] = {}
    for mutant in found:
        groups.setdefault((mutant.file, mutant.function), []).append(mutant)
    quotas = _spread(size, [len(group) for group in groups.values()])
    chosen = {mutant.id for group, quota in zip(groups.values(), quotas)
              for mutant in _evenly(group, quota)}
    return [mutant for mutant in found if mutant.id in chosen]


def _spread(total: int, sizes: list[int]) -> list[int]:
    """``total`` shared among groups of these sizes as evenly as their sizes allow."""
    quotas = [0] * len(sizes)
    left = min(total, sum(sizes))
    while left:
        open_groups = [i for i, size in enumerate(sizes) if quotas[i] < size]
        if left < len(open_groups):  # one more each for groups spread over the list
            for i in _evenly(open_groups, left):
                quotas[i] += 1
            break
        share = left // len(open_groups)
        for i in open_groups:
            grant = min(share, sizes[i] - quotas[i])
            quotas[i] += grant
            left -= grant
    return quotas


def _evenly(items: list, count: int) -> list:
    """``count`` items at even spacing, each the middle of its stretch of the list."""
    return [items[(2 * i + 1) * len(items) // (2 * count)] for i in range(count)]
