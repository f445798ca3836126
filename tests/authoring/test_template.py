"""`grader template`: the student folder, its --check, golden data and the leak scan."""

import json
import shutil

import pytest
from course import NAME, PROJECT, run_pytest
from safetensors.torch import save

from grader import cli
from grader.assignment import ConfigError
from grader.authoring import golden, template
from grader.authoring.leaks import leaks
from grader.authoring.project import Project
from grader.authoring.project import test_names as names_of_tests


def test_checked_in_fixture_template_is_current(project):
    assert template.check(project, [NAME]) == []


def test_repository_template_is_current():
    """CI: every assignment's checked-in student_template/ matches its sources."""
    repo = Project()
    assert template.check(repo, repo.names()) == []


def test_write_reproduces_the_checked_in_template(course):
    shutil.rmtree(course.template)
    shutil.rmtree(course.assignments / NAME / "golden")
    template.write(course, [NAME])
    for path in sorted((PROJECT / "student_template").rglob("*")):
        if path.is_file():
            relative = path.relative_to(PROJECT)
            assert (course.root / relative).read_bytes() == path.read_bytes(), relative


def test_template_layout_keeps_hidden_material_out(project):
    files = template.render(project, project.assignment(NAME))
    assert sorted(files) == ["README.md", "assignment.toml", "calc.py",
                             "golden/softmax.safetensors", "pytest.ini", "requirements.txt",
                             "test_public.py"]
    text = "\n".join(v.decode(errors="ignore") for v in files.values())
    assert "test_secret_scale_values" not in text and "secret_scale" not in text
    assert "return z * SCALE + 1.0" not in text and "SCALE = 3.0" not in text
    config = files["assignment.toml"].decode()
    assert 'local = "."' in config and "public_tests_only = true" in config
    assert "[template]" not in config


def test_check_reports_edits_missing_and_extra_files(course, capsys):
    folder = course.template / NAME
    (folder / "calc.py").write_text((folder / "calc.py").read_text() + "# edited by hand\n")
    (folder / "README.md").unlink()
    (folder / "notes.txt").write_text("stray")
    (folder / "__pycache__").mkdir()  # run artefacts are not template content
    (folder / "__pycache__" / "calc.cpython-311.pyc").write_bytes(b"\0")
    problems = template.check(course, [NAME])
    assert len(problems) == 3
    assert "-# edited by hand" in problems[1] and problems[1].startswith("--- checked-in/")
    assert problems[0] == f"{NAME}/README.md: missing"
    assert problems[2] == f"{NAME}/notes.txt: not generated any more (delete it)"
    assert cli.main(["template", "--check", "--project", str(course.root)]) == 1
    assert "student template is stale (3 differences)" in capsys.readouterr().err


def test_check_notices_a_stale_reference_and_write_fixes_it(course, capsys):
    solution = course.root / "solutions" / NAME / "calc.py"
    solution.write_text(solution.read_text().replace("exps / exps.sum", "2 * exps / exps.sum"))
    problems = template.check(course, [NAME])
    assert problems == [f"{NAME}/golden/softmax.safetensors: differs from what the reference gives"]
    assert cli.main(["template", NAME, "--project", str(course.root)]) == 0
    assert cli.main(["template", "--check", "--project", str(course.root)]) == 0
    assert "student template up to date: calc_basics" in capsys.readouterr().out


def test_golden_files_record_seed_and_torch_version():
    from safetensors import safe_open

    with safe_open(str(PROJECT / "assignments" / NAME / "golden/softmax.safetensors"), "pt") as f:
        metadata = json.loads(f.metadata()["golden"])
    assert metadata["seed"] == 11 and metadata["generator"] == f"{NAME}/golden.py"
    assert metadata["torch_version"]  # the build that generated them


def test_golden_write_keeps_files_whose_values_did_not_change(course):
    assignment = course.assignment(NAME)
    path = assignment.root / "golden" / "softmax.safetensors"
    tensors = golden.load(path)
    tensors["y"] = tensors["y"] + 1e-9  # another torch build: same values within tolerance
    path.write_bytes(save(tensors, metadata={"golden": '{"torch_version": "0.0-other"}'}))
    before = path.read_bytes()
    golden.write(assignment, golden.generate(course, assignment))
    assert path.read_bytes() == before
    assert golden.stale(assignment, golden.generate(course, assignment)) == []


def test_public_file_with_a_hidden_test_is_refused(course):
    public = course.assignments / NAME / "test_public.py"
    public.write_text(public.read_text() + '\n\n@pytest.mark.visibility("hidden")\n'
                      "def test_oops(submission):\n    pass\n")
    with pytest.raises(ConfigError, match=r"test_public.py:\d+: a public test file has a hidden"):
        template.render(course, course.assignment(NAME))


def test_missing_template_table_and_module_named_like_folder_are_config_errors(course):
    config = course.assignments / NAME / "assignment.toml"
    text = config.read_text()
    table = ('[template]\npublic_tests = ["test_public.py"]\n'
             'public_data = ["golden/softmax.safetensors"]\n')
    assert table in text
    config.write_text(text.replace(table, ""))
    with pytest.raises(ConfigError, match=r"add a \[template\] table"):
        template.render(course, Project(course.root).assignment(NAME))
    renamed = course.assignments / "calc"
    shutil.copytree(course.assignments / NAME, renamed)
    (renamed / "assignment.toml").write_text(text.replace(f'"{NAME}"', '"calc"'))
    shutil.copytree(course.root / "solutions" / NAME, course.root / "solutions" / "calc")
    with pytest.raises(ConfigError, match="may not share the assignment folder's name 'calc'"):
        template.render(course, course.assignment("calc"))


def test_leak_scan_finds_hidden_tests_solution_lines_and_hidden_golden(project):
    assignment = project.assignment(NAME)
    found = leaks(project, assignment, {
        "a/notes.md": b"see test_secret_scale_values",
        "a/calc.py": b"def scale(z):\n    return z * SCALE + 1.0\n",
        "a/golden/secret_scale.safetensors": b"\0",
        "a/test_hidden.py": b"",
        "a/fine.py": b"return a + b\n",  # too short to say anything
    })
    assert found == [
        "a/calc.py: contains solution code 'return z * SCALE + 1.0'",
        "a/golden/secret_scale.safetensors: a hidden file",
        "a/notes.md: names the hidden test test_secret_scale_values",
        "a/test_hidden.py: a hidden file",
    ]


def test_a_test_bound_from_a_kit_factory_counts_as_a_test_of_its_file(tmp_path):
    path = tmp_path / "test_models.py"
    path.write_text("test_output_shape = output_shape_test(10, number='1.1')\n"
                    "TEST_SIZES = [1, 2]\nhelper = 3\n\ndef test_count():\n    pass\n")
    assert names_of_tests(path) == {"test_output_shape", "test_count"}


@pytest.mark.parametrize("root", [PROJECT, Project().root], ids=["fixture", "repository"])
def test_public_tests_fail_with_their_todo_messages_from_root_and_inside(root, tmp_path):
    repo = Project(root)
    if not repo.names():
        pytest.skip("no assignments in this repository yet")
    out = tmp_path / "results.json"
    result = run_pytest(root, "student_template/", f"--results-json={out}")
    assert result.returncode == 1, result.stdout[-3000:]  # failures, no collection errors
    rows = json.loads(out.read_text())["tests"]
    assert len(rows) >= len(repo.names())
    for row in rows:
        assert row["status"] == "failed" and "TODO" in row["output"], row
    assert "The grader also runs hidden tests" in result.stdout
    for name in repo.names():
        inside = run_pytest(repo.template / name, f"--results-json={tmp_path / name}.json")
        assert inside.returncode == 1, inside.stdout[-3000:]
        assert json.loads((tmp_path / f"{name}.json").read_text())["score"] == 0
