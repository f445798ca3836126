"""Each assignment's tests catch wrong solutions: a sample of its reference's mutants meets the bar.

The sample is graded with the assignment's `[mutation] prescreen` tests (its quick tests,
without training or timing), so that it fits the default suite (about a minute per
assignment on 2 cores). The full run, every mutant with every test,
is `make mutate ASSIGNMENT=NAME`; its report is docs/mutation/NAME.md.
"""

import pytest

from grader.authoring import mutation_report, mutation_run
from grader.authoring.project import Project

SAMPLE = 8  # mutants spread over the functions
PROJECT = Project()


@pytest.mark.parametrize("name", PROJECT.names())
def test_a_sample_of_mutants_meets_the_bar(name):
    assignment = PROJECT.assignment(name)
    quick = assignment.settings.mutation.prescreen
    assert quick, f"{name}: [mutation] prescreen names the quick tests a sample is graded with"
    run = mutation_run.run(assignment, PROJECT.reference(assignment), sample=SAMPLE, jobs=2,
                           selection=quick, progress=False)
    assert run.passed, mutation_report.markdown(run)
