"""`grader new` and `grader selftest`: a scaffold that passes, and checks that catch mistakes."""

import re

import pytest

from grader import cli
from grader.assignment import Assignment, ConfigError, parse
from grader.authoring import scaffold, selftest
from grader.authoring.project import Project
from grader.authoring.selftest import Expected
from grader.judge import session


def row(number, name, status="passed", score=1.0, output=""):
    return {"number": number, "name": name, "status": status, "score": score, "max_score": 1.0,
            "output": output}


def document(*rows, output=""):
    return {"tests": list(rows), "score": sum(r["score"] for r in rows), "output": output}


def test_a_case_must_fail_exactly_the_tests_it_names():
    graded = document(row("1.1", "add"), row("6.1.1", "accuracy [A]", "failed", 0),
                      row("6.1.2", "accuracy [B]", "failed", 0, "below 90%\ndetails"))
    assert selftest.check_case(graded, Expected(score=1, failed=("6.1",))) == []
    assert selftest.check_case(graded, Expected(failed=("accuracy [A]", "add", "9.9"))) == [
        "expected.toml names '9.9', which no test has (numbers or names)",
        "1.1 add passed; expected.toml says it fails",
        "6.1.2 accuracy [B] failed: below 90%"]
    assert selftest.check_case(graded, Expected(score=2)) == ["scores 1, expected 2"]


def test_correct_work_must_score_full_marks_and_each_lost_test_is_named():
    graded = document(row("1.1", "add"), row("4.1", "train", "failed", 0, "accuracy: got 0.12"),
                      row("4.2", "evaluate", "failed", 0.5))
    assert selftest.check_valid(graded) == [
        "4.1 train took 1 of 1 points from correct work: accuracy: got 0.12",
        "4.2 evaluate took 0.5 of 1 points from correct work: no output"]
    assert selftest.check_valid(document(row("1.1", "add"))) == []


def test_a_corpus_member_needs_no_expected_toml_and_may_not_have_one(tmp_path):
    scaffold.new(Project(tmp_path), "hw1")
    assignment = Project(tmp_path).assignment("hw1")
    member = assignment.root / "test_submissions" / "valid_loop"
    member.mkdir()
    assert selftest.corpus(assignment) == [member]
    (member / "expected.toml").write_text("score = 3\n")
    with pytest.raises(ConfigError, match="valid_loop: a valid_\\* case is correct work"):
        selftest.cases(assignment)


def test_a_corpus_member_without_a_graded_file_gets_the_reference_s(tmp_path):
    assignment = Assignment(root=tmp_path, name="x", title="x", settings=parse(
        {"artifacts": {"checkpoint": {"file": "net.safetensors", "kind": "checkpoint"}}}))
    reference, member, wrong = tmp_path / "reference", tmp_path / "valid_a", tmp_path / "wrong"
    for folder in (reference, member, wrong):
        folder.mkdir()
        (folder / "calc.py").write_text(f"# {folder.name}\n")
    (reference / "net.safetensors").write_bytes(b"reference weights")
    staged = selftest.stage_case(assignment, member, reference, tmp_path / "staged")
    assert (staged / "net.safetensors").read_bytes() == b"reference weights"
    assert (staged / "calc.py").read_text() == "# valid_a\n"
    (member / "net.safetensors").write_bytes(b"its own")
    staged = selftest.stage_case(assignment, member, reference, tmp_path / "again")
    assert (staged / "net.safetensors").read_bytes() == b"its own"
    (wrong / "expected.toml").write_text("score = 0\n")  # a wrong case is graded as it is
    staged = selftest.stage_case(assignment, wrong, reference, tmp_path / "wrong_staged")
    assert sorted(p.name for p in staged.iterdir()) == ["calc.py"]


def test_the_skeleton_scores_nothing_and_keeps_every_row():
    reference = document(row("1.1", "add"), row("1.2", "softmax"))
    skeleton = document(row("1.1", "add", "passed", 1.0))
    assert selftest.check_skeleton(skeleton, reference) == [
        "1.1 add scores 1", "softmax: no row (the reference has one)"]
    assert selftest.check_reference(document(output="collection failed")) == [
        "no tests ran: collection failed"]


@pytest.mark.parametrize("text, problem", [
    ("", "say what the case scores"),
    ("scor = 1", "scor: unknown key (did you mean score?)"),
    ('failed = "1.2"', "failed: expected a list of strings"),
])
def test_expected_toml_is_checked(tmp_path, text, problem):
    (tmp_path / "expected.toml").write_text(text)
    with pytest.raises(ConfigError, match=re.escape(problem)):
        selftest.read_expected(tmp_path / "expected.toml")


def test_new_refuses_bad_or_taken_names(tmp_path):
    course = Project(tmp_path)
    with pytest.raises(ConfigError, match="lower case letters"):
        scaffold.new(course, "Hw-1")
    scaffold.new(course, "hw1")
    with pytest.raises(ConfigError, match="exists already"):
        scaffold.new(course, "hw1")


def test_a_new_assignment_templates_and_passes_its_selftest(tmp_path, capsys):
    project = ["--project", str(tmp_path)]
    assert cli.main(["new", "hw1", *project]) == 0
    assert cli.main(["template", "hw1", *project]) == 0
    assert cli.main(["template", "--check", *project]) == 0
    assert (tmp_path / "student_template/hw1/test_public.py").is_file()
    assert not (tmp_path / "student_template/hw1/test_hidden.py").exists()
    capsys.readouterr()
    assert cli.main(["selftest", "hw1", *project]) == 0
    printed = capsys.readouterr().out
    assert "selftest hw1: reference: 3/3, ok" in printed
    assert "selftest hw1: skeleton: 0/3, ok" in printed
    assert "selftest hw1: test_submissions/wrong_sign: 1/3, ok" in printed


def test_seeds_grade_the_reference_under_that_many_grading_secrets(tmp_path, capsys,
                                                                 monkeypatch):
    scaffold.new(Project(tmp_path), "hw1")
    secrets = set()

    def secret(self, assignment):
        secrets.add(found := own_secret(self, assignment))
        return found

    own_secret = session.GradingSession.secret
    monkeypatch.setattr(session.GradingSession, "secret", secret)
    project = ["--project", str(tmp_path)]
    assert cli.main(["selftest", "hw1", "--seeds", "3", *project]) == 0
    printed = capsys.readouterr().out
    assert "selftest hw1: reference, grading secret 2 of 3: 3/3, ok" in printed
    assert "selftest hw1: reference, grading secret 3 of 3: 3/3, ok" in printed
    assert len(secrets) == 5  # reference thrice, skeleton, wrong_sign: a secret each
    # In the judge's process there is no grading secret: every run would be the same.
    assert cli.main(["selftest", "hw1", "--seeds", "3", "--no-sandbox", *project]) == 2
    assert "--seeds needs the sandbox" in capsys.readouterr().err


def test_build_packages_nothing_when_the_selftest_fails(tmp_path, capsys):
    project = ["--project", str(tmp_path)]
    scaffold.new(Project(tmp_path), "hw1")
    expected = tmp_path / "assignments/hw1/test_submissions/wrong_sign/expected.toml"
    expected.write_text("score = 3\n")
    dist = tmp_path / "dist"
    assert cli.main(["build", "hw1", "-o", str(dist), "--no-sandbox", *project]) == 1
    err = capsys.readouterr().err
    assert "test_submissions/wrong_sign: scores 1, expected 3" in err
    assert "grader: selftest found 1 problems" in err and "nothing packaged" in err
    assert not dist.exists()


def test_selftest_fails_naming_the_corpus_member_and_the_test_it_lost(tmp_path, capsys):
    """A valid_* case that loses points is a test too strict for correct work."""
    project = ["--project", str(tmp_path)]
    scaffold.new(Project(tmp_path), "hw1")
    cases = tmp_path / "assignments/hw1/test_submissions"
    (cases / "wrong_sign/expected.toml").unlink()
    (cases / "wrong_sign").rename(cases / "valid_sign")
    assert cli.main(["selftest", "hw1", "--no-sandbox", *project]) == 1
    captured = capsys.readouterr()
    assert "selftest hw1: test_submissions/valid_sign: 1/3, 1 problem" in captured.out
    assert re.search(r"test_submissions/valid_sign: 2\.1 \S.* took 2 of 2 points from correct "
                     r"work: ", captured.err), captured.err


@pytest.mark.slow
@pytest.mark.parametrize("name", Project().names())
def test_every_repository_assignment_passes_its_selftest(name):
    """The reference gets full marks, the skeleton 0, each case what it expects (each
    grading trains: `make test-all`)."""
    assert selftest.run(Project(), name, report=lambda line: None) == []
