"""Reports what the worker can see and do; the protection tests judge the answers."""
import ctypes
import os
import resource
import socket
import sys

import torch

_libc = ctypes.CDLL(None, use_errno=True)
_KEY_CALLS = {"x86_64": 248, "aarch64": 217}  # add_key


def identity():
    return {"uid": os.getuid(), "gid": os.getgid(), "groups": os.getgroups(),
            "cwd": os.getcwd(), "home": os.path.expanduser("~"), "env": sorted(os.environ)}


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
    names = ("RLIMIT_NPROC", "RLIMIT_FSIZE", "RLIMIT_NOFILE", "RLIMIT_CORE", "RLIMIT_MSGQUEUE")
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



def write_in(folders, name):
    """Write a file called `name` in each folder: "written", or the error, per folder."""
    return {folder: write(os.path.join(folder, name)) for folder in folders}


def found_in(folders, name):
    return [folder for folder in folders if os.path.lexists(os.path.join(folder, name))]


def fill(folders, megabytes):
    """Write up to `megabytes` MB in each folder; the MB written in all."""
    written = 0
    for folder in folders:
        try:
            with open(os.path.join(folder, "filler"), "wb") as f:
                for _ in range(megabytes):
                    f.write(b"\0" * 2**20)
                    f.flush()
                    written += 1
        except OSError:
            continue
    return written


def _result(value):
    return value if value >= 0 else f"error: {os.strerror(ctypes.get_errno())}"


def shared_memory(key):
    """A SysV shared memory segment of key `key`, left for whoever comes next."""
    return _result(_libc.shmget(key, 4096, 0o1666))  # IPC_CREAT, readable by all


def add_key(name):
    """A key in the user's keyring, which no namespace isolates."""
    number = _KEY_CALLS[os.uname().machine]
    return _result(_libc.syscall(number, b"user", name.encode(), b"left", 4, -4))  # @u


def message_queue(name):
    """A POSIX message queue (RLIMIT_MSGQUEUE counts its bytes)."""
    return _result(_libc.mq_open(name.encode(), os.O_CREAT | os.O_RDWR, 0o600, None))


def leave(value):
    """Puts `value` where a later submission's worker would find it if workers shared an
    interpreter: globals of modules every worker has imported."""
    torch.left_behind = value
    sys.modules["grader.wire"].left_behind = value


def left():
    return [getattr(torch, "left_behind", None),
            getattr(sys.modules["grader.wire"], "left_behind", None)]


def process():
    fds = []
    for name in os.listdir("/proc/self/fd"):
        try:
            fds.append(os.readlink(f"/proc/self/fd/{name}"))
        except OSError:  # the listing's own fd, closed by now
            pass
    return {"pid": os.getpid(), "parent": os.getppid(), "session": os.getsid(0),
            "threads": len(os.listdir("/proc/self/task")), "fds": fds}
