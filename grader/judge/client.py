"""The judge's side of the seam: a proxy for the student's modules.

Tests reach student code only through a `Proxy` (the `submission` fixture). Every
access becomes a request to a backend (in-process or a sandboxed worker) and every
reply is decoded into plain data or a `Handle` to an object that stays with the
student's code. Nothing here runs student code.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Protocol

from grader.judge.errors import SubmissionError
from grader.wire import Decoder, Encoder


class Backend(Protocol):
    """Moves one request to where the student's code runs and brings the reply back."""

    def exchange(self, request: dict, buffers: list) -> tuple[dict, list]: ...

    def paused(self) -> AbstractContextManager: ...

    def close(self) -> None: ...


class Proxy:
    """`submission.models.SimpleCNN(...)`: the student's modules, seen from the judge."""

    def __init__(self, backend: Backend, modules: list[str]):
        self._backend = backend
        self._modules = list(modules)
        self._pending_release: list[int] = []
        self.output: list[str] = []          # what student code printed, drained per test
        self.import_errors: dict[str, str] = {}

    def __getattr__(self, name: str) -> Any:
        if name == "helpers":
            return _Helpers(self)
        if name.startswith("_"):
            raise AttributeError(name)
        return ModuleProxy(self, name)

    def __dir__(self) -> list[str]:
        return [*self._modules, "helpers"]

    def close(self) -> None:
        self._backend.close()

    def paused(self) -> AbstractContextManager:
        """`with submission.paused():` nothing of the student's code runs meanwhile."""
        return self._backend.paused()

    def request(self, op: str, target: dict, args: tuple = (), kwargs: dict | None = None) -> Any:
        # The seam's frames are the grader's plumbing: pytest's traceback skips every frame
        # that sets this, so a student sees the test's line, then their own code's error.
        __tracebackhide__ = True
        encoder = Encoder(_encode_handle)
        message = {"op": op, "target": target, "release": self._pending_release}
        if op == "call":
            message["args"] = encoder.encode(list(args))
            message["kwargs"] = encoder.encode(dict(kwargs or {}))
        self._pending_release = []
        reply, buffers = self._backend.exchange(message, encoder.buffers)
        if reply.get("output"):
            self.output.append(reply["output"])
        if not reply.get("ok"):
            raise self._error(reply.get("error") or {}, target)
        return Decoder(buffers, self._make_handle).decode(reply.get("value"))

    def release(self, ref: int) -> None:
        self._pending_release.append(ref)

    def _make_handle(self, desc: dict) -> Handle:
        return Handle(self, desc)

    def _error(self, error: dict, target: dict) -> SubmissionError:
        message = format_error(error, blamed(error, target))
        if error.get("import"):
            self.import_errors[error["import"]] = message
        return SubmissionError(message, error)


def describe_target(target: dict) -> str:
    """`models.SimpleCNN` or `SimpleCNN.forward`: how a student would name the target."""
    if "helper" in target:
        return f"the grader helper {target['helper']}"
    owner = target.get("module") or target.get("name") or target.get("type", "?").rsplit(".", 1)[-1]
    return ".".join(filter(None, [owner, target.get("attr")]))


def blamed(error: dict, target: dict) -> str:
    """What an error's message blames: the call the test made, or, when a grader helper
    ran the student's code, the innermost frame of their files that raised."""
    frames = error.get("frames") or []
    if "helper" not in target or not frames:
        return describe_target(target)
    last = frames[-1]
    return (f"{last['function']} ({last['file']}, line {last['line']}; "
            f"called from the grader's {target['helper']})")


def format_error(error: dict, what: str) -> str:
    """A student-facing account of an exception from their code."""
    kind, message = error.get("type", "Error"), error.get("message", "")
    if error.get("import"):
        head = f"{error['import']}.py could not be imported: {kind}: {message}"
    elif kind in ("Skipped", "SkipTest", "XFailed", "Exit", "Failed"):
        head = (f"{what} raised a test outcome ({kind}: {message}); a skip or exit from "
                "your code counts as a failure")
    elif kind in ("SystemExit", "KeyboardInterrupt"):
        head = (f"{what} tried to stop the grader ({kind} {message}); "
                "graded code must return its result instead")
    elif kind in ("WorkerFault", "StaleReference"):  # a WorkerFault names the call itself
        head = message if kind == "WorkerFault" else f"{what}: {message}"
    elif kind == "NotImplementedError":
        head = f"{what} is not implemented yet: {message or 'NotImplementedError'}"
    else:
        head = f"Your code raised {kind} while running {what}: {message}"
    where = [f"  {f['file']}, line {f['line']}, in {f['function']}: {f['code']}"
             for f in error.get("frames", [])]
    return "\n".join([head, *where])


class ModuleProxy:
    """`submission.models`: a name; each attribute access asks the student's side."""

    def __init__(self, submission: Proxy, module: str):
        self._submission = submission
        self._module = module

    def __getattr__(self, attr: str) -> Any:
        __tracebackhide__ = True
        if attr.startswith("__"):
            raise AttributeError(attr)
        return self._submission.request("get", {"module": self._module, "attr": attr})

    def __repr__(self) -> str:
        return f"<submission module {self._module}>"


class Handle:
    """An object that lives with the student's code (a model, a transform, ...)."""

    def __init__(self, submission: Proxy, desc: dict):
        self._submission = submission
        self.ref: int = desc["$ref"]
        self.type_names: list[str] = list(desc.get("mro", []))
        self.type_name: str = desc.get("type", "object")
        self.name: str | None = desc.get("name")

    def _target(self, attr: str | None = None) -> dict:
        target = {"ref": self.ref, "type": self.type_name, "name": self.name}
        return {**target, "attr": attr} if attr else target

    def __getattr__(self, attr: str) -> Any:
        __tracebackhide__ = True
        if attr.startswith("_"):
            raise AttributeError(attr)
        return self._submission.request("get", self._target(attr))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True
        return self._submission.request("call", self._target(), args, kwargs)

    def __len__(self) -> int:
        __tracebackhide__ = True
        return self._submission.request("call", self._target("__len__"))

    def __getitem__(self, key: Any) -> Any:
        __tracebackhide__ = True
        return self._submission.request("call", self._target("__getitem__"), (key,))

    def __iter__(self):
        __tracebackhide__ = True
        return iter(self._submission.helpers.as_list(self))

    def isinstance_of(self, qualified_name: str) -> bool:
        """True when the object's type or a base is `qualified_name` (e.g. torch.nn.Conv2d)."""
        top, short = qualified_name.split(".")[0], qualified_name.rsplit(".", 1)[-1]
        return any(name == qualified_name or
                   (name.startswith(top + ".") and name.endswith("." + short))
                   for name in self.type_names)

    def __repr__(self) -> str:
        return f"<handle to a {self.type_name}>"

    def __del__(self) -> None:
        try:
            self._submission.release(self.ref)
        except AttributeError:  # half-built handle
            pass


class _Helpers:
    """`submission.helpers.state_dict(model)`: grader helpers, run next to student objects."""

    def __init__(self, submission: Proxy):
        self._submission = submission

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)

        def call(*args: Any, **kwargs: Any) -> Any:
            __tracebackhide__ = True
            return self._submission.request("call", {"helper": name}, args, kwargs)
        return call


def _encode_handle(obj: Any) -> dict:
    if isinstance(obj, Handle):
        return {"$ref": obj.ref}
    raise TypeError(f"cannot send a {type(obj).__name__} to the submission; send plain data")
