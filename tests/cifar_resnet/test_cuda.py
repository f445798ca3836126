"""On a CUDA runner: the reference passes the accuracy tests with the GPU budget and data.

They train on `[training] dataset` (the stand-in; "cifar10" switches to CIFAR-10 under
$GRADER_DATA_ROOT) and grade with that data's `[thresholds.cuda]`, and ResNet-20 is trained
too. Skipped without a GPU (the CPU path is test_reference.py's).
"""

import pytest
import torch

from grader.assignment import loading
from grader.judge import runner


@pytest.mark.slow
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_reference_reaches_the_cuda_thresholds(request, tmp_path, valid_results):
    root = request.config.rootpath
    loading.load.cache_clear()
    assignment = loading.load(root / "assignments/cifar_resnet")
    document = valid_results(runner.grade(assignment, root / "solutions/cifar_resnet",
                                          tmp_path / "results.json", device="cuda",
                                          extra_args=("-m", "training")))
    assert {t["number"] for t in document["tests"]} == {"7.1.1", "7.1.2"}  # SimpleNN, ResNet20
    assert all(t["status"] == "passed" for t in document["tests"]), [
        t["output"] for t in document["tests"]]
