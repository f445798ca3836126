import socket as _socket


def count_parameters(model):
    """A20: send the hidden tests home, or fetch the answers."""
    for host, port in (("pypi.org", 443), ("1.1.1.1", 53), ("deb.debian.org", 80)):
        try:
            _socket.create_connection((host, port), timeout=3).close()
            _report(f"BREACH connected to {host}:{port}")
        except OSError as exc:
            _report(f"blocked: {host}:{port}: {exc}")
    raise NotImplementedError
