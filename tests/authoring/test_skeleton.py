"""The solution-to-skeleton transformer: every marker rule, with exact expected output."""

import ast
from pathlib import Path
from textwrap import dedent

import pytest

from grader.authoring import (
    SkeletonError,
    make_skeleton,
    strip_solution_markers,
    transform_tree,
)

CASES = Path(__file__).parent / "cases"


def skeleton(source: str) -> str:
    return make_skeleton(dedent(source), "sol.py")


def run(source: str) -> dict:
    namespace: dict = {}
    # Running the generated file is the point: it must import and raise where expected.
    exec(compile(source, "skeleton.py", "exec"), namespace)  # noqa: S102
    return namespace


def test_class_methods_get_raises_with_todo_or_default_message():
    out = skeleton('''
        class Net:
            """A net."""

            def __init__(self, width):
                self.width = width
                # BEGIN SOLUTION
                # TODO: build self.layer
                self.layer = width * 2
                # END SOLUTION

            def forward(self, x):
                # BEGIN SOLUTION
                return x * self.layer
                # END SOLUTION

            def size(self):
                return self.width
    ''')
    assert out == dedent('''
        class Net:
            """A net."""

            def __init__(self, width):
                self.width = width
                # TODO: build self.layer
                raise NotImplementedError("TODO: build self.layer")

            def forward(self, x):
                raise NotImplementedError("TODO: complete Net.forward")

            def size(self):
                return self.width
    ''')


def test_todo_prompt_spanning_lines_is_kept_and_joined_into_the_message():
    out = skeleton("""
        def loss(x):
            # BEGIN SOLUTION
            # TODO: compute the mean squared error
            #   over the batch.
            #
            # TODO: return a scalar tensor.
            value = (x ** 2).mean()

            # not part of the prompt
            return value
            # END SOLUTION
    """)
    assert out == dedent("""
        def loss(x):
            # TODO: compute the mean squared error
            #   over the batch.
            #
            # TODO: return a scalar tensor.
            raise NotImplementedError("TODO: compute the mean squared error over the batch. TODO: return a scalar tensor.")
    """)


def test_nested_function_and_block_inside_if_keep_their_indentation():
    out = skeleton("""
        def outer(flag):
            def inner(y):
                if flag:
                    # BEGIN SOLUTION
                    return y + 1
                    # END SOLUTION
                return y
            return inner
    """)
    assert out == dedent("""
        def outer(flag):
            def inner(y):
                if flag:
                    raise NotImplementedError("TODO: complete outer.inner")
                return y
            return inner
    """)
    inner = run(out)["outer"](True)
    with pytest.raises(NotImplementedError, match="outer.inner"):
        inner(1)
    assert run(out)["outer"](False)(3) == 3


def test_block_that_is_the_whole_body_after_the_docstring():
    out = skeleton('''
        async def fetch(n: int) -> int:
            """Fetch n.

            # BEGIN SOLUTION (inside a string: not a marker)
            """
            # BEGIN SOLUTION
            return n
            # END SOLUTION
    ''')
    assert out == dedent('''
        async def fetch(n: int) -> int:
            """Fetch n.

            # BEGIN SOLUTION (inside a string: not a marker)
            """
            raise NotImplementedError("TODO: complete fetch")
    ''')


def test_module_and_class_level_blocks_are_removed_keeping_the_todo():
    out = skeleton("""
        import math
        # BEGIN SOLUTION
        # TODO: write a helper
        def helper():
            return math.pi
        # END SOLUTION


        class Config:
            size = 3
            # BEGIN SOLUTION
            depth = 2
            # END SOLUTION
    """)
    assert out == dedent("""
        import math
        # TODO: write a helper


        class Config:
            size = 3
            # TODO: complete Config
    """)
    assert run(out)["Config"].size == 3


def test_solution_only_lines_are_dropped_and_values_replaced():
    out = skeleton("""
        import os  # SOLUTION ONLY
        LEARNING_RATE = 0.01  # SOLUTION: LEARNING_RATE = None  # TODO: choose a learning rate
        EPOCHS = 3  # noqa  # SOLUTION:   EPOCHS = None

        def steps(n):
            total = n * EPOCHS  # SOLUTION: total = 0
            return total
    """)
    assert out == dedent("""
        LEARNING_RATE = None  # TODO: choose a learning rate
        EPOCHS = None

        def steps(n):
            total = 0
            return total
    """)


def test_calling_a_skeleton_function_raises_with_the_todo_text():
    out = skeleton(r"""
        def greet(name):
            # BEGIN SOLUTION
            # TODO: return "hello, <name>" \ with a 'quote' ünïcode
            return "hello, " + name
            # END SOLUTION
    """)
    with pytest.raises(NotImplementedError) as info:
        run(out)["greet"]("x")
    assert str(info.value) == "TODO: return \"hello, <name>\" \\ with a 'quote' ünïcode"


def test_reference_case_file_gives_the_expected_skeleton():
    solution = (CASES / "models_solution.py").read_text(encoding="utf-8")
    expected = (CASES / "models_skeleton.py").read_text(encoding="utf-8")
    assert make_skeleton(solution, "models.py") == expected
    ast.parse(expected)


def test_file_without_markers_is_unchanged_and_line_endings_normalized():
    source = "x = 1\r\ny = 'a # BEGIN SOLUTION'\r\n\r\n"
    assert make_skeleton(source, "plain.py") == "x = 1\ny = 'a # BEGIN SOLUTION'\n\n"
    assert make_skeleton("x = 1", "plain.py") == "x = 1\n"
    assert make_skeleton("", "empty.py") == ""


def test_strip_solution_markers_keeps_the_code_and_its_behaviour():
    source = dedent("""
        import math  # SOLUTION ONLY
        SCALE = 2  # keep me  # SOLUTION: SCALE = None

        def area(r):
            # BEGIN SOLUTION
            # TODO: area of a circle
            return SCALE * math.pi * r * r
            # END SOLUTION
    """)
    stripped = strip_solution_markers(source, "sol.py")
    assert stripped == dedent("""
        import math
        SCALE = 2  # keep me

        def area(r):
            # TODO: area of a circle
            return SCALE * math.pi * r * r
    """)
    assert run(stripped)["area"](3) == run(source)["area"](3)


MALFORMED = [
    ("# END SOLUTION\n", 1, "without '# BEGIN SOLUTION'"),
    ("def f():\n    # BEGIN SOLUTION\n    return 1\n", 2, "without '# END SOLUTION'"),
    (
        (
            "def f():\n    # BEGIN SOLUTION\n    # BEGIN SOLUTION\n    return 1\n"
            "    # END SOLUTION\n    # END SOLUTION\n"
        ),
        3,
        "nested",
    ),
    ("def f():\n    # BEGIN SOLUTION here\n    return 1\n    # END SOLUTION\n", 2, "malformed"),
    ("def f():\n    # BEGIN SOLUTON\n    return 1\n    # END SOLUTION\n", 2, "malformed"),
    ("def f():\n    #BEGIN SOLUTION\n    return 1\n", 2, "malformed"),
    ("x = 1\n# end solution\n", 2, "malformed"),
    ("x = 1\n# END\n", 2, "malformed"),
    ("def f():\n    return 1  # BEGIN SOLUTION\n", 2, "line of its own"),
    ("x = 1\n# SOLUTION ONLY\n", 2, "end of a line of code"),
    ("x = 1  # SOLUTION ONY\n", 1, "malformed"),
    ("x = 1  # SOLUTION:\n", 1, "malformed"),
    ("def f(:\n    pass\n", 1, "not valid Python"),
    ("def f():\n    return 1  # SOLUTION ONLY\n\nx = 2\n", 4, "generated file is not valid"),
]


@pytest.mark.parametrize("source, line, reason", MALFORMED)
def test_malformed_markers_name_file_and_line(source, line, reason):
    with pytest.raises(SkeletonError, match=reason) as info:
        make_skeleton(source, "hw/models.py")
    assert str(info.value).startswith(f"hw/models.py:{line}: ")
    assert (info.value.filename, info.value.line) == ("hw/models.py", line)


def test_strip_solution_markers_rejects_malformed_markers_too():
    with pytest.raises(SkeletonError, match="sol.py:1: "):
        strip_solution_markers("# END SOLUTION\n", "sol.py")


def test_transform_tree_writes_skeletons_of_python_files_only(tmp_path):
    src, dst = tmp_path / "solutions", tmp_path / "student" / "hw"
    src.mkdir()
    (src / "b.py").write_text("def f():\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION\n")
    (src / "a.py").write_text("A = 1  # SOLUTION: A = None\n")
    (src / "notes.txt").write_text("# BEGIN SOLUTION\n")
    assert transform_tree(src, dst) == [dst / "a.py", dst / "b.py"]
    assert (dst / "a.py").read_bytes() == b"A = None\n"
    assert (dst / "b.py").read_bytes() == b'def f():\n    raise NotImplementedError("TODO: complete f")\n'
    assert sorted(p.name for p in dst.iterdir()) == ["a.py", "b.py"]


def test_transform_tree_refuses_to_overwrite_the_solution_and_writes_nothing_on_error(tmp_path):
    (tmp_path / "ok.py").write_text("x = 1\n")
    with pytest.raises(ValueError, match="refusing"):
        transform_tree(tmp_path, tmp_path)
    (tmp_path / "bad.py").write_text("# END SOLUTION\n")
    with pytest.raises(SkeletonError, match="bad.py:1: "):
        transform_tree(tmp_path, tmp_path / "out")
    assert not (tmp_path / "out").exists()
