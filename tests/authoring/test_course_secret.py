"""The course's grading secret: made by `grader build`, renewed by `--new-secret`, never
handed to students; the secret test sets drawn from it."""

import zipfile

import pytest
from course import NAME

from grader import cli
from grader.assignment import ConfigError, loading
from grader.authoring import course_secret, package
from grader.authoring.leaks import leaks
from grader.toolkit import secret

# A public file drawn from the secret, as cifar_resnet's test images are.
MAKE_SCRIPT = '''"""Writes drawn.txt from the course's grading secret."""
import sys
from pathlib import Path

from grader.toolkit import secret

here = Path(__file__).parent
(here / "drawn.txt").write_text(str(secret.seed(here, "drawn")) + sys.argv[1])
'''


@pytest.fixture
def drawing_course(course):
    """The fixture course with a `[secret_files] make` script and the file it draws shipped."""
    folder = course.assignments / NAME
    (folder / "make_drawn.py").write_text(MAKE_SCRIPT)
    config = folder / "assignment.toml"
    config.write_text(config.read_text().replace(
        'public_data = ["golden/softmax.safetensors"]',
        'public_data = ["golden/softmax.safetensors", "drawn.txt"]') +
        '\n[secret_files]\nmake = "make_drawn.py !"\n')
    loading.load.cache_clear()
    course_secret.remake(course, course.assignment(NAME))  # as the course keeps it
    return course


def build(course, *options):
    loading.load.cache_clear()
    out = course.root / "dist"
    assert cli.main(["build", NAME, "-o", str(out), "--project", str(course.root),
                     "--no-selftest", *options]) == 0
    loading.load.cache_clear()
    return {kind: zipfile.ZipFile(out / f"{NAME}-{kind}.zip")
            for kind in ("autograder", "student")}


def test_new_secret_draws_the_public_files_again_and_never_ships_to_students(drawing_course):
    folder = drawing_course.assignments / NAME
    course_secret.path(drawing_course).unlink()  # a course without one gets one on build
    zips = build(drawing_course)
    first = course_secret.path(drawing_course).read_bytes()
    assert course_secret.path(drawing_course).stat().st_mode & 0o077 == 0  # staff only
    drawn = (folder / "drawn.txt").read_text()
    assert drawn == f"{secret.seed(folder, 'drawn')}!"
    assert zips["autograder"].read("assignments/grading.secret") == first
    assert zips["student"].read(f"{NAME}/drawn.txt").decode() == drawn

    zips = build(drawing_course, "--new-secret")
    second = course_secret.path(drawing_course).read_bytes()
    assert second != first
    assert (folder / "drawn.txt").read_text() != drawn  # a new term's files
    template_copy = drawing_course.template / NAME / "drawn.txt"
    assert template_copy.read_text() == (folder / "drawn.txt").read_text()
    student = {n: zips["student"].read(n) for n in zips["student"].namelist()}
    assert not [n for n, data in student.items()
                if second.strip() in data or n.endswith(secret.FILE)]


def test_without_a_new_secret_build_keeps_the_course_secret(drawing_course):
    before = course_secret.path(drawing_course).read_bytes()
    build(drawing_course)
    assert course_secret.path(drawing_course).read_bytes() == before


def test_a_failing_make_script_stops_the_build(drawing_course):
    folder = drawing_course.assignments / NAME
    (folder / "make_drawn.py").write_text("raise SystemExit(3)\n")
    with pytest.raises(ConfigError, match=r"\[secret_files\] make .* failed with exit status 3"):
        course_secret.remake(drawing_course, drawing_course.assignment(NAME))


def test_seeds_depend_on_the_secret_the_assignment_and_the_purpose(course):
    folder = course.assignments / NAME
    seeds = {secret.seed(folder, "a"), secret.seed(folder, "b")}
    course_secret.ensure(course, new=True)
    seeds |= {secret.seed(folder, "a"), secret.seed(folder.with_name("other"), "a")}
    assert len(seeds) == 4


def test_a_missing_secret_is_named_for_the_staff(course):
    course_secret.path(course).unlink()
    with pytest.raises(secret.MissingSecret, match="grader build NAME` creates one"):
        secret.seed(course.assignments / NAME, "test-set")


def test_leaks_finds_the_secret_in_any_file(project):
    assignment = project.assignment(NAME)
    value = secret.read(assignment.root)
    found = leaks(project, assignment, {"a/notes.txt": b"x = '" + value + b"'\n",
                                        f"a/{secret.FILE}": b"anything"})
    assert found == [f"a/{secret.FILE}: a hidden file",
                     "a/notes.txt: contains the grading secret"]


@pytest.mark.parametrize(("accuracy", "resolution", "told"), [
    (0.4499, 0.01, "44%"), (0.54, 0.01, "54%"), (0.5399, 0.01, "53%"), (1.0, 0.01, "100%"),
    (0.4371, 0.001, "43.7%"), (0.4371, 0.05, "40%"), (0.0, 0.01, "0%")])
def test_accuracy_on_a_secret_set_is_told_at_the_resolution_set(accuracy, resolution, told):
    assert secret.told(accuracy, resolution) == told


def test_the_autograder_zip_of_a_repository_assignment_carries_the_secret(project):
    files = package.autograder_files(project, project.assignment(NAME))
    assert files["assignments/grading.secret"] == course_secret.path(project).read_bytes()
