"""add() loops forever and ignores every catchable signal; everything else is right."""
import signal


def add(a, b):
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    while True:
        try:
            continue
        except BaseException:  # noqa: BLE001, S112
            continue
