"""The host's facts (`grader.host`) read from real processes: this one and children it
starts, in a process group of their own, with names chosen to mislead a parser."""

import ast
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader import host

# The shell names itself like the kernel's fields, so a parser that reads stat from the
# first ")" on, or splits the whole line, gets its parent and group wrong.
SHELL = "printf '%s' 'x) Z 1 1 1 1' > /proc/self/comm; sleep 60 & echo $!; wait"


@pytest.fixture
def family():
    """(shell, its sleep): a shell leading a new session, and the sleep it started."""
    shell = subprocess.Popen(["sh", "-c", SHELL], stdout=subprocess.PIPE,
                             start_new_session=True)
    with shell, shell.stdout:
        sleep = int(shell.stdout.readline())
        try:
            assert Path(f"/proc/{shell.pid}/comm").read_text().startswith("x) Z")
            yield shell.pid, sleep
        finally:
            os.kill(sleep, 9)  # the shell waits for it, then ends


def test_descendants_are_children_and_theirs(family):
    shell, sleep = family
    assert host.stat(shell).ppid == os.getpid()
    assert host.stat(sleep).ppid == shell
    assert host.descendants(shell) == [sleep]
    assert {shell, sleep} <= set(host.descendants(os.getpid()))
    assert host.descendants(sleep) == []


def test_a_process_group_lists_its_members_only(family):
    shell, sleep = family
    assert sorted(host.in_group(shell)) == sorted([shell, sleep])
    assert host.stat(sleep).group == shell
    assert shell not in host.in_group(os.getpgrp())


def test_real_uid_of_live_processes_and_none_for_zombies_and_the_gone():
    child = subprocess.Popen(["true"])
    os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # a zombie until waited for
    assert host.real_uid(os.getpid()) == os.getuid()
    assert host.real_uid(child.pid) is None
    assert host.stat(child.pid).ppid == os.getpid()  # a zombie still has its stat
    mine = host.processes_of(os.getuid())
    assert os.getpid() in mine and child.pid not in mine
    assert os.getuid() in host.live_uids()
    child.wait()
    assert host.stat(child.pid) is None and host.real_uid(child.pid) is None


@pytest.mark.skipif(os.geteuid() != 0, reason="starting a process as another user needs root")
def test_processes_of_a_user_are_those_it_really_runs():
    nobody = 65534
    child = subprocess.Popen(["sleep", "60"], user=nobody, group=nobody)
    try:
        assert host.real_uid(child.pid) == nobody
        assert child.pid in host.processes_of(nobody)
        assert child.pid not in host.processes_of(os.getuid())
        assert nobody in host.live_uids()
    finally:
        child.kill()
        child.wait()


def _spin(seconds: float) -> None:
    start = time.process_time()
    while time.process_time() - start < seconds:
        pass


def test_cpu_seconds_count_own_time_and_waited_childrens():
    me = os.getpid()
    before = host.stat(me)
    _spin(0.3)
    spun = host.cpu_times([me])[(me, before.started)] - before.cpu_s
    assert 0.25 <= spun < 5, f"0.3 s of CPU spun, {spun:.2f} s counted"
    times = os.times()
    own = times.user + times.system + times.children_user + times.children_system
    assert abs(host.stat(me).cpu_s - own) < 0.1, (host.stat(me).cpu_s, own)
    subprocess.run([sys.executable, "-c", "import time\nwhile time.process_time() < 0.3: pass"],
                   check=True)
    gained = host.stat(me).cpu_s - before.cpu_s - spun
    assert gained >= 0.25, f"a child that spun 0.3 s and was waited for added {gained:.2f} s"


def test_cpu_times_tell_processes_apart_by_start_and_skip_the_gone():
    child = subprocess.Popen(["true"])
    child.wait()
    me = host.stat(os.getpid())
    assert list(host.cpu_times([os.getpid(), child.pid])) == [(me.pid, me.started)]


def test_allocated_counts_memory_written_not_libraries():
    me = [os.getpid()]
    before = host.allocated(me)
    block = b"\x01" * (64 << 20)
    grown = host.allocated(me) - before
    assert 60 << 20 <= grown < 80 << 20, f"64 MB written, {grown >> 20} MB counted"
    del block
    assert before > 0
    assert host.allocated([2**22 + 1]) == 0  # past the largest pid the kernel gives


def test_cpus_and_memory_are_within_what_the_machine_has():
    cpus = len(os.sched_getaffinity(0))
    assert 1 <= host.usable_cpus() <= cpus
    assert 1 <= host.default_jobs() <= cpus
    limit = host.memory_limit()
    assert limit is None or 0 < limit <= os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    assert host.memory() == (limit or host.ASSUMED_MEMORY)


def test_gpus_are_shared_out_between_slots_and_announced(monkeypatch, caplog):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0,1")
    with caplog.at_level(logging.INFO, logger="grader.batch"):
        assert host.gpu_slots(3, "auto") == ["0", "1", "0"]
    assert "3 gradings at a time share 2 GPU(s)" in caplog.text
    assert host.gpu_slots(2, "cpu") == [None, None]
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    assert host.gpu_slots(2, "cuda") == [None, None]


def test_host_imports_the_standard_library_only():
    imported = set()
    for node in ast.walk(ast.parse(Path(host.__file__).read_text())):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module.split(".")[0])
    assert imported <= sys.stdlib_module_names | {"__future__"}, imported
