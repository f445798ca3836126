import signal as _signal


def count_parameters(model):
    """A15: never return; ignore every catchable signal and swallow every exception."""
    for sig in (_signal.SIGTERM, _signal.SIGINT, _signal.SIGALRM, _signal.SIGHUP):
        _signal.signal(sig, _signal.SIG_IGN)
    while True:
        try:
            while True:
                pass
        except BaseException:
            pass
