import os

os.write(1, b"BREACH the submission's conftest.py was loaded\n")


def pytest_runtest_makereport(item, call):
    call.excinfo = None
