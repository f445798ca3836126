"""setup.sh on Gradescope's default image (Ubuntu 22.04): every command it runs exists there.

Gradescope's "Base" image variant is "a fresh install of the OS with no
modifications to the default installed programs, other than what our
autograder platform requires" (gradescope/autograder_samples,
docs/base_images.md; the default OS is Ubuntu 22.04). A fresh Ubuntu 22.04 is
the ubuntu-base 22.04 root file system (Docker's `ubuntu:22.04`), whose
packages are listed in Canonical's manifest
(cdimage.ubuntu.com/ubuntu-base/releases/22.04/release/ubuntu-base-22.04-base-amd64.manifest).
BASE_IMAGE below names, per package of that manifest, the commands setup.sh or
the grader may run; python3 is not among them, which is why setup.sh installs it.
"""

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.authoring import package
from grader.authoring.project import Project

SETUP = package.GRADESCOPE / "setup.sh"
BASE_IMAGE = {
    "apt": {"apt-get", "apt-cache"},
    "bash": {"bash"},
    "coreutils": {"cat", "chmod", "chown", "cp", "dirname", "env", "id", "ln", "ls", "mkdir",
                  "mktemp", "mv", "readlink", "rm", "sleep", "touch", "uname"},
    "dash": {"sh"},
    "debianutils": {"which"},
    "findutils": {"find", "xargs"},
    "grep": {"grep"},
    "gzip": {"gzip"},
    "libc-bin": {"getent", "ldconfig"},
    "mount": {"mount", "umount"},
    "passwd": {"useradd", "userdel", "groupadd"},
    "procps": {"kill", "ps"},
    "sed": {"sed"},
    "tar": {"tar"},
    "util-linux": {"setpriv", "unshare", "nsenter"},
}
ON_THE_IMAGE = set().union(*BASE_IMAGE.values())
BUILTINS = {"cd", "command", "echo", "export", "local", "printf", "set", "exit", "return",
            "true", "false", "test", "["}
KEYWORDS = {"if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}"}
SEPARATORS = {";", "&&", "||", "|", "(", ")", "&", "{", "}"}
PROVIDES = {"python3": {"python3"}, "python3.11": {"python3.11"}}  # apt package -> commands
# Commands named by a variable: what each is, and which step makes it.
VARIABLE_COMMANDS = {"$step": "one of setup.sh's own steps (functions)",
                     "$base": "python3 or python3.11, both installed by system_packages",
                     "$VENV/bin/pip": "the venv that python_packages creates",
                     "$PYTHON": "that venv's python (GRADER_PYTHON in tests)"}


def segments(script: str) -> list[list[str]]:
    """The simple commands of a shell script, as words (quotes removed, comments dropped)."""
    text = script.replace("\\\n", " ")
    found = []
    for line in text.splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        current: list[str] = []
        for word in [*lexer, ";"]:
            if word not in SEPARATORS:
                current.append(word)
                continue
            if current:
                found.append(current)
            current = []
    return found


def command_of(words: list[str]) -> str | None:
    """The command a simple command runs: after keywords and variable assignments."""
    if words[0] in ("for", "case"):
        return None
    rest = [w for w in words if w not in KEYWORDS]
    while rest and "=" in rest[0] and rest[0].split("=")[0].isidentifier():
        rest = rest[1:]
    return rest[0] if rest else None


def installed_by_apt(commands: list[list[str]]) -> set[str]:
    """The commands of the packages setup.sh installs with apt-get."""
    packages = {w for words in commands if command_of(words) == "apt-get" and "install" in words
                for w in words if not w.startswith("-") and w not in ("apt-get", "install")}
    return set().union(*(PROVIDES.get(p, set()) for p in packages))


def script_commands(script: str) -> tuple[set[str], list[list[str]]]:
    """A script's functions, and its simple commands outside function headers and comments."""
    lines = script.splitlines()
    functions = {line.split("(")[0] for line in lines if line.endswith("() {")}
    return functions, segments("\n".join(line for line in lines if not line.endswith("() {")
                                         and not line.lstrip().startswith("#")))


def test_setup_installs_python_3_11_with_apt():
    _, found = script_commands(SETUP.read_text())
    assert installed_by_apt(found) == {"python3", "python3.11"}


@pytest.mark.parametrize("script", ["setup.sh", "run_autograder"])
def test_every_command_is_a_builtin_installed_by_setup_or_on_the_base_image(script):
    functions, found = script_commands((package.GRADESCOPE / script).read_text())
    installed = installed_by_apt(segments(SETUP.read_text()))
    unknown = set()
    for words in found:
        command = command_of(words)
        if command is None or command in BUILTINS | functions | installed | ON_THE_IMAGE:
            continue
        if command not in VARIABLE_COMMANDS:
            unknown.add(command)
    assert unknown == set(), f"not on Ubuntu 22.04's base image, nor installed by setup.sh: " \
                             f"{sorted(unknown)}"


FAKE_APT = """\
#!/bin/bash
# Stands in for apt-get: records its calls, and "installs" the interpreters setup.sh asks for.
echo "apt-get $*" >>"$APT_LOG"
[ "$1" = install ] || exit 0
for package in "$@"; do
    case "$package" in
        # Ubuntu 22.04's python3 is 3.10: it fails setup.sh's version check.
        python3) printf '#!/bin/bash\\nexit 1\\n' >"$FAKE_BIN/python3"; chmod +x "$FAKE_BIN/python3";;
        python3.11) ln -s "$REAL_PYTHON" "$FAKE_BIN/python3.11";;
    esac
done
"""


def image_bin(folder: Path) -> Path:
    """A PATH of only the base image's commands (those this machine has) and a fake apt-get."""
    folder.mkdir()
    for command in ON_THE_IMAGE - {"apt-get", "apt-cache"}:
        found = shutil.which(command)
        if found:
            (folder / command).symlink_to(found)
    (folder / "apt-get").write_text(FAKE_APT)
    (folder / "apt-get").chmod(0o755)
    return folder


@pytest.mark.slow
def test_setup_steps_run_in_a_fresh_root_with_only_the_image_commands(tmp_path):
    """system_packages (apt faked), worker_user and datasets; python_packages needs PyPI."""
    root = tmp_path / "autograder"
    project = Project()
    for name, data in package.autograder_files(project, project.assignment("mnist_nets")).items():
        (root / "source" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "source" / name).write_bytes(data)
    (root / "venv").mkdir()  # what python_packages makes; GRADER_PYTHON stands in for its python
    fake_bin = image_bin(tmp_path / "bin")
    steps = "system_packages worker_user datasets" if os.geteuid() == 0 else \
        "system_packages datasets"  # a pool user can only be made by root
    env = {"PATH": str(fake_bin), "GRADER_AUTOGRADER_ROOT": str(root),
           "GRADER_PYTHON": sys.executable, "GRADER_SETUP_STEPS": steps,
           "APT_LOG": str(tmp_path / "apt.log"), "FAKE_BIN": str(fake_bin),
           "REAL_PYTHON": str(Path(sys.base_prefix, "bin", "python3.11"))}
    run = subprocess.run([str(fake_bin / "bash"), str(root / "source" / "setup.sh")], cwd=root,
                         env=env, capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    assert "command not found" not in run.stderr
    apt = (tmp_path / "apt.log").read_text().splitlines()
    assert apt == ["apt-get update",
                   ("apt-get install -y --no-install-recommends python3 python3-venv "
                    "ca-certificates"),
                   "apt-get install -y --no-install-recommends python3.11 python3.11-venv"]
    assert list((root / "cache").glob("*.safetensors"))  # datasets decoded for offline grading
