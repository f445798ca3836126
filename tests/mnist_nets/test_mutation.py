"""mnist_nets' tests catch wrong solutions: a sample of the reference's mutants meets the bar.

The sample is graded without the training tests (`-m "not training"`) so that it fits the
default suite. The full run, every mutant with every test, is `make mutate
ASSIGNMENT=mnist_nets`; its report is docs/mutation/mnist_nets.md.
"""

import pytest

from grader.authoring import mutation_report, mutation_run
from grader.authoring.project import Project

SAMPLE = 8  # mutants spread over the functions
QUICK = ("-m", "not training")


@pytest.mark.slow
def test_a_sample_of_mutants_meets_the_bar():
    project = Project()
    assignment = project.assignment("mnist_nets")
    run = mutation_run.run(assignment, project.reference(assignment), sample=SAMPLE, jobs=2,
                           selection=QUICK, progress=False)
    assert run.passed, mutation_report.markdown(run)
