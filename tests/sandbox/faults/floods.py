"""add() floods fd 1 and 2 below Python's sys.stdout, then answers right."""
import os


def add(a, b):
    chunk = b"\x00\x1b[31m<script>FLOOD" * 4096
    for _ in range(300):  # 2 x 27 MB
        os.write(1, chunk)
        os.write(2, chunk)
    return a + b
