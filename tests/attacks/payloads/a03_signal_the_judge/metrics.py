import signal as _signal


def count_parameters(model):
    """A3: interrupt (then kill) the judge process itself."""
    for pid in {_os.getppid(), TARGETS["judge_pid"]}:
        for sig in (_signal.SIGINT, _signal.SIGKILL):
            try:
                _os.kill(pid, sig)
                _report(f"BREACH sent {sig!r} to the judge ({pid})")
            except OSError as exc:
                _report(f"blocked: signal to {pid}: {exc.strerror}")
    raise NotImplementedError
