"""Executes the judge's requests against the student's modules.

This is the only code that touches student objects. It runs inside the
worker process (sandboxed backend) or, for students' local runs, inside the
test process (in-process backend); both exchange the same messages.

A request is `{"op": "get" | "call", "target": ..., "args": [...],
"kwargs": {...}, "release": [ref ids]}`, where the target is one of
`{"module": "models", "attr": "SimpleCNN"}`, `{"ref": 3, "attr": "eval"}` or
`{"helper": "state_dict"}` (a function of the helper table the dispatcher
was given before any student code ran). The reply is `{"ok": true, "value": ...}` or
`{"ok": false, "error": {...}}`, plus whatever the student's code printed.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import sys
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from grader.wire import Decoder, Encoder, WireError

OUTPUT_LIMIT = 20_000  # characters of student output kept per request
GENERATION_BITS = 32   # ref ids carry the worker generation above these bits


class Dispatcher:
    def __init__(self, root: str | Path, modules: list[str], helpers: Mapping[str, Callable],
                 generation: int = 0):
        self.root = Path(root).resolve()
        self.modules = set(modules)
        self.helpers = MappingProxyType(dict(helpers))  # a copy: later edits of the table miss it
        # A student's local run keeps the assignment's helper module in their own folder;
        # its frames are the grader's, never the code an error message blames.
        self.helper_files = {_source_file(fn) for fn in self.helpers.values()} - {None}
        self.objects: dict[int, Any] = {}
        self.refcounts: dict[int, int] = {}
        self.ids_by_object: dict[int, int] = {}
        # A restarted worker numbers its objects anew; the generation keeps a handle
        # from a dead worker from silently naming a different object in the new one.
        self.generation = generation
        self.next_id = (generation << GENERATION_BITS) + 1
        self.own_modules: dict[str, Any] = {}  # this submission's modules while not in use

    def handle(self, request: dict, buffers: list) -> tuple[dict, list]:
        self._release(request.get("release", ()))
        output = _CappedText(OUTPUT_LIMIT)
        encoder = Encoder(self._make_ref)
        try:
            with self._namespace(), contextlib.redirect_stdout(output), \
                    contextlib.redirect_stderr(output):
                value = self._execute(request, buffers)
                reply = {"ok": True, "value": encoder.encode(value)}
        except BaseException as exc:  # noqa: BLE001 - student code may raise anything, exits included
            encoder.buffers.clear()
            reply = {"ok": False, "error": self.describe(exc)}
        reply["output"] = output.text()
        return reply, encoder.buffers

    @contextlib.contextmanager
    def _namespace(self):
        """Make `import models` mean this submission's models.py for the request.

        Two dispatchers can share a process (the student's code and the reference,
        in-process): each swaps its own modules and folder in and out around a request.
        """
        others = {n: sys.modules.pop(n) for n in self.modules if n in sys.modules}
        sys.modules.update(self.own_modules)
        sys.path.insert(0, str(self.root))
        try:
            yield
        finally:
            with contextlib.suppress(ValueError):  # the student's code may have removed it
                sys.path.remove(str(self.root))
            self.own_modules = {n: sys.modules.pop(n) for n in self.modules if n in sys.modules}
            sys.modules.update(others)

    def close(self) -> None:
        """Forget the student's objects and modules."""
        self.objects.clear()
        self.own_modules.clear()

    def _execute(self, request: dict, buffers: list) -> Any:
        target = self._target(request.get("target") or {})
        if request.get("op") == "get":
            return target
        if request.get("op") != "call":
            raise WireError(f"unknown op {request.get('op')!r}")
        decoder = Decoder(buffers, self._resolve_ref)
        args = decoder.decode(request.get("args", []))
        kwargs = decoder.decode(request.get("kwargs", {}))
        if not callable(target):
            raise TypeError(f"{type(target).__name__} object is not callable")
        return target(*args, **kwargs)

    def _target(self, spec: dict) -> Any:
        if "helper" in spec:
            if spec["helper"] not in self.helpers:
                raise LookupError(f"no grader helper named {spec['helper']!r}")
            return self.helpers[spec["helper"]]
        if "module" in spec:
            obj = self._import(spec["module"])
        else:
            obj = self._resolve_ref({"$ref": spec.get("ref")})
        for name in filter(None, str(spec.get("attr", "")).split(".")):
            obj = getattr(obj, name)
        return obj

    def _import(self, name: str) -> Any:
        if name not in self.modules:
            raise ModuleNotFoundError(f"the submission has no module {name!r} ({name}.py)")
        try:
            return importlib.import_module(name)
        except BaseException as exc:
            raise ImportFailure(name) from exc

    def _make_ref(self, obj: Any) -> dict:
        ref = self.ids_by_object.get(id(obj))
        if ref is None:
            ref, self.next_id = self.next_id, self.next_id + 1
            self.objects[ref] = obj
            self.ids_by_object[id(obj)] = ref
        self.refcounts[ref] = self.refcounts.get(ref, 0) + 1
        kind = type(obj)
        name = getattr(obj, "__qualname__", None) if callable(obj) else None
        return {
            "$ref": ref,
            "name": name if isinstance(name, str) else None,
            "type": f"{kind.__module__}.{kind.__qualname__}",
            "mro": [f"{k.__module__}.{k.__qualname__}" for k in kind.__mro__],
            "callable": callable(obj),
        }

    def _resolve_ref(self, obj: dict) -> Any:
        ref = obj.get("$ref")
        if ref in self.objects:
            return self.objects[ref]
        if type(ref) is int and ref >> GENERATION_BITS != self.generation:
            raise StaleReference("this object was lost when the grader restarted your code "
                                 "after an earlier failure; it has to be built again")
        raise WireError(f"unknown object reference {ref!r}")

    def _release(self, refs: Any) -> None:
        for ref in refs:
            count = self.refcounts.get(ref, 0) - 1
            if count > 0:
                self.refcounts[ref] = count
            elif ref in self.objects:
                del self.refcounts[ref]
                self.ids_by_object.pop(id(self.objects.pop(ref)), None)

    def describe(self, exc: BaseException) -> dict:
        """The exception as data: type, message and the student's own frames."""
        if isinstance(exc, ImportFailure):
            return {**self.describe(exc.__cause__), "import": exc.module}
        frames = [
            {"file": self._relative(f.filename), "line": f.lineno,
             "function": frame.f_code.co_qualname, "code": (f.line or "").strip()}
            for (frame, _), f in zip(traceback.walk_tb(exc.__traceback__),
                                     traceback.extract_tb(exc.__traceback__))
            if self._relative(f.filename)
        ]
        if isinstance(exc, SyntaxError) and self._relative(exc.filename or ""):
            frames.append({"file": self._relative(exc.filename), "line": exc.lineno,
                           "function": "<module>", "code": (exc.text or "").strip()})
        return {"type": type(exc).__name__, "message": str(exc)[:2000], "frames": frames[-5:]}

    def _relative(self, filename: str) -> str:
        """`filename` relative to the submission's folder; "" for files not the student's."""
        path = Path(filename)
        if not path.is_absolute() or path.resolve() in self.helper_files:
            return ""
        try:
            return str(path.resolve().relative_to(self.root))
        except ValueError:
            return ""


def _source_file(fn: Callable) -> Path | None:
    code = getattr(fn, "__code__", None)
    return Path(code.co_filename).resolve() if code else None


class StaleReference(Exception):
    """A handle from an earlier worker, which no longer exists."""


class ImportFailure(Exception):
    """A student module raised while being imported (the cause says what)."""

    def __init__(self, module: str):
        super().__init__(module)
        self.module = module


class _CappedText(io.TextIOBase):
    """A text sink that keeps the first `limit` characters and counts the rest."""

    def __init__(self, limit: int):
        self.limit, self.parts, self.size = limit, [], 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        room = self.limit - self.size
        if room > 0:
            self.parts.append(text[:room])
        self.size += len(text)
        return len(text)

    def text(self) -> str:
        kept = "".join(self.parts)
        if self.size > self.limit:
            kept += f"\n[... {self.size - self.limit} more characters of output dropped]"
        return kept
