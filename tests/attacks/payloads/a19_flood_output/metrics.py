import sys as _sys


def count_parameters(model):
    """A19: gigabytes of output, NUL bytes, ANSI and HTML."""
    chunk = "\x00\x1b[2J\x1b[31m<script>alert(1)</script><b>" * 1000
    for _ in range(200):
        print(chunk)
        _os.write(1, chunk.encode())
        _os.write(2, chunk.encode())
    _sys.stdout.write("\x00" * 10_000)
    return 0
