"""Reports what the worker can see and do; the protection tests judge the answers."""
import os
import resource
import socket

import torch


def identity():
    return {"uid": os.getuid(), "gid": os.getgid(), "groups": os.getgroups(),
            "cwd": os.getcwd(), "env": sorted(os.environ)}


def read(path):
    """The first bytes of `path`, or the error that stopped reading it."""
    try:
        with open(path, "rb") as f:
            return f.read(64).decode("latin-1")
    except OSError as exc:
        return f"error: {exc.strerror}"


def listdir(path):
    try:
        return sorted(os.listdir(path))
    except OSError as exc:
        return f"error: {exc.strerror}"


def write(path):
    try:
        with open(path, "ab") as f:
            f.write(b"")
        return "written"
    except OSError as exc:
        return f"error: {exc.strerror}"


def signal_process(pid):
    try:
        os.kill(pid, 0)
        return "allowed"
    except OSError as exc:
        return f"error: {exc.strerror}"


def interfaces():
    return sorted(name for _, name in socket.if_nameindex())


def namespace(kind):
    return os.readlink(f"/proc/self/ns/{kind}")


def limits():
    names = ("RLIMIT_NPROC", "RLIMIT_FSIZE", "RLIMIT_NOFILE", "RLIMIT_CORE")
    return {n: resource.getrlimit(getattr(resource, n))[0] for n in names}


def echo(x):
    return x


def model():
    return torch.nn.Linear(3, 2)


def die():
    os._exit(1)


def cuda_error():
    """What torch raises after a device-side assert: the CUDA context is dead for good."""
    raise RuntimeError("CUDA error: device-side assert triggered")


def busy(seconds):
    """Leave a process burning CPU for `seconds` after returning (as a CPU hog would)."""
    import subprocess
    import sys

    loop = f"import time\nend = time.time() + {seconds}\nwhile time.time() < end: pass"
    return subprocess.Popen([sys.executable, "-c", loop]).pid

