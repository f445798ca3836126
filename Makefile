# Everything a user does with the project, from a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
ASSIGNMENT ?= mnist_nets
SUBMISSION ?= solutions/$(ASSIGNMENT)
RESULTS ?= results.json

DEVICE ?= cpu

.PHONY: install grade test test-all lint bench clean template autograder calibrate mutate seeds \
	gpu-check

install: $(BIN)/grader

$(BIN)/grader: pyproject.toml requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

grade: install
	$(BIN)/grader grade $(ASSIGNMENT) $(SUBMISSION) -o $(RESULTS)

# The default suite leaves out tests marked slow (full gradings with training, attack
# suites, mutant samples); test-all runs them too.
test: install
	$(BIN)/python -m pytest -q -m "not slow"

test-all: install
	$(BIN)/python -m pytest -q

template: install
	$(BIN)/grader template

autograder: install
	$(BIN)/grader build $(ASSIGNMENT) -o dist

calibrate: install
	$(BIN)/grader calibrate $(ASSIGNMENT) --seeds 20 --device $(DEVICE) -o docs/calibration/$(ASSIGNMENT)-$(DEVICE).md

# Every mutant of the reference, graded with every test; exits 1 below the bar.
# MUTATE_ARGS="--jobs 8" on a bigger machine.
mutate: install
	$(BIN)/grader mutate $(ASSIGNMENT) -o docs/mutation/$(ASSIGNMENT).md $(MUTATE_ARGS)

# selftest with the reference graded under 10 grading secrets (inputs, held-out order,
# training seeds); exits 1 unless every run earns full marks.
seeds: install
	$(BIN)/grader selftest $(ASSIGNMENT) --seeds 10

# On a machine with CUDA: cuda thresholds, CUDA tests, each reference graded on cuda and cpu
# -> docs/gpu.md and docs/calibration/*-cuda.md (commit them). Without CUDA: the plan only.
gpu-check: install
	$(BIN)/python bench/gpu_check.py

lint: install
	$(BIN)/ruff check grader tests bench solutions

bench: install
	for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done
	for name in scene_recognition cifar_resnet; do \
		echo "== bench/bench_grading.py $$name"; $(BIN)/python bench/bench_grading.py $$name || exit 1; done

clean:
	rm -rf $(VENV) dist build *.egg-info results.json
