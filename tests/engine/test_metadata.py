"""Grading markers are read strictly: a misused marker stops the run with one line."""

import subprocess
import sys
from types import SimpleNamespace

import pytest

from grader.judge.metadata import MarkerError, spec_of


class Item(SimpleNamespace):
    """Just enough of a pytest.Item for `spec_of`: markers, a node id, a function."""

    def __init__(self, *marks, obj=None):
        super().__init__(nodeid="test_x.py::test_x", name="test_x", originalname="test_x",
                         obj=obj or (lambda: None), marks=[m.mark for m in marks])

    def get_closest_marker(self, name):
        return next((m for m in self.marks if m.name == name), None)

    def iter_markers(self):
        return iter(self.marks)


mark = pytest.mark


def test_markers_are_read_by_position_or_keyword():
    spec = spec_of(Item(mark.weight(points=2, split=True), mark.number("1.2"),
                        mark.visibility("hidden"), mark.tags("cnn", "shapes"),
                        mark.leaderboard("speed", order="asc"), mark.hide_errors("later")))
    assert (spec.weight, spec.split, spec.number, spec.visibility) == (2.0, True, "1.2", "hidden")
    assert spec.tags == ("cnn", "shapes") and spec.leaderboard == ("speed", "asc")
    assert spec.hide_errors == "later"
    assert spec_of(Item()).weight == 0.0


@pytest.mark.parametrize("marker, problem", [
    (mark.weight(2, splt=True),
     "got an unexpected keyword argument 'splt'; usage: @pytest.mark.weight(points, split=False)"),
    (mark.weight(pts=2), "missing a required argument: 'points'"),
    (mark.weight("2"), "points must be a number >= 0, not '2'"),
    (mark.weight(-1), "points must be a number >= 0, not -1"),
    (mark.weight(2, split="yes"), "split must be True or False, not 'yes'"),
    (mark.weight(2, True, 3), "too many positional arguments"),
    (mark.visibility("hiden"),
     "visibility must be one of visible, hidden, after_due_date, after_published, not 'hiden'"),
    (mark.number(1.2), "number must be a string, not 1.2"),
    (mark.tags("cnn", 3), "each tag must be a string, not 3"),
    (mark.leaderboard("speed", order="up"), "order must be one of asc, desc, not 'up'"),
    (mark.hide_errors(), "missing a required argument: 'message'"),
])
def test_a_misused_marker_is_a_one_line_usage_error(marker, problem):
    with pytest.raises(MarkerError) as info:
        spec_of(Item(marker))
    message = str(info.value)
    assert message.startswith(f"test_x.py::test_x: @pytest.mark.{marker.mark.name}(")
    assert problem in message and "\n" not in message


@pytest.mark.filterwarnings("ignore::pytest.PytestUnknownMarkWarning")
def test_a_misspelt_marker_is_an_error_not_a_silent_zero():
    with pytest.raises(MarkerError, match=r"@pytest.mark.wieght\(2\): unknown marker; did you "
                                          r"mean @pytest.mark.weight\?"):
        spec_of(Item(mark.wieght(2)))
    assert spec_of(Item(mark.training, mark.slow)).weight == 0  # other markers are fine


def test_gradescope_decorator_values_are_checked_too():
    def test_x():
        pass

    test_x.__weight__, test_x.__visibility__ = 3, "hidden"
    assert spec_of(Item(obj=test_x)).weight == 3.0
    test_x.__weight__ = "three"
    with pytest.raises(MarkerError, match=r"@weight\('three'\): points must be a number"):
        spec_of(Item(obj=test_x))


def test_the_run_stops_before_any_test_with_the_message(tmp_path, fixtures_dir):
    folder = tmp_path / "hw"
    folder.mkdir()
    (folder / "assignment.toml").write_text('[submission]\nfiles = ["calc.py"]\nlocal = "."\n')
    (folder / "calc.py").write_text((fixtures_dir / "submissions/good/calc.py").read_text())
    (folder / "test_calc.py").write_text(
        "import pytest\n\n\n@pytest.mark.weight(2, splt=True)\ndef test_one(submission):\n"
        "    pass\n")
    run = subprocess.run([sys.executable, "-m", "pytest", str(folder), "-p", "no:cacheprovider"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == pytest.ExitCode.USAGE_ERROR
    assert ("ERROR: hw/test_calc.py::test_one: @pytest.mark.weight(2, splt=True): got an "
            "unexpected keyword argument 'splt'") in run.stderr
    assert "Traceback" not in run.stdout + run.stderr
