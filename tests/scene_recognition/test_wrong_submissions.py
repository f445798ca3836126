"""Wrong submissions of scene_recognition lose exactly the points of their mistake.

Each case is the reference solution with one realistic mistake patched in,
graded in-process without the training tests and without the timing tests
(`-m "not training and not timing"`: in one busy process, a ratio of two CPU times
says little; the quantized model's timing is graded sandboxed, with the reference's
timing interleaved). The other quantization cases run on the float net the
assignment ships.
"""

import pytest

STATS = """    scaler = StandardScaler()
    for path in sorted(Path(dir_name).rglob("*")):
        if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES:
            with Image.open(path) as image:
                pixels = np.asarray(image.convert("L"), dtype=np.float64) / 255.0
            scaler.partial_fit(pixels.reshape(-1, 1))
    # var_ is the population variance; scale_ would replace a zero one by 1.
    return float(scaler.mean_[0]), float(np.sqrt(scaler.var_[0]))"""
STATS_AVERAGING_STDS = (STATS.replace("scaler = StandardScaler()", "scaler, stds = StandardScaler(), []")
                        .replace("reshape(-1, 1))", "reshape(-1, 1))\n            stds.append(pixels.std())")
                        .replace("np.sqrt(scaler.var_[0])", "np.mean(stds)"))

QUICK = ("-m", "not training and not timing")

# name -> (file, reference text, wrong text, numbers of the tests that must fail)
MISTAKES = {
    "std with ddof=1": (
        "stats.py", "float(np.sqrt(scaler.var_[0]))",
        "float(np.sqrt(scaler.var_[0] * scaler.n_samples_seen_ / (scaler.n_samples_seen_ - 1)))",
        {"1.2"}),
    "pixels not scaled to [0, 1]": (
        "stats.py", 'dtype=np.float64) / 255.0', "dtype=np.float64)", {"1.1", "1.2"}),
    "std averaged over images": (
        "stats.py", STATS, STATS_AVERAGING_STDS, {"1.2"}),
    "stats: colour images not converted": (
        "stats.py", 'np.asarray(image.convert("L")', "np.asarray(image", {"1.1", "1.2"}),
    "ImageLoader: colour images not converted": (
        "image_loader.py", 'return image.convert("L")', "return image.copy()", {"2.3", "2.4"}),
    # a mistake in one loader function is charged by that function's test only
    "ImageLoader reads only .jpg files": (
        "image_loader.py", "path.suffix.lower() in IMAGE_SUFFIXES", 'path.suffix.lower() == ".jpg"',
        {"2.2.1", "2.2.2"}),
    "get_classes counts files as classes": (
        "image_loader.py", "for p in self.curr_folder.iterdir() if p.is_dir())",
        "for p in self.curr_folder.iterdir())", {"2.1.1", "2.1.2"}),
    "transforms without Normalize": (
        "data_transforms.py", """        transforms.ToTensor(),
        transforms.Normalize(mean=pixel_mean, std=pixel_std),
    ])
    # END SOLUTION


def get_data""", """        transforms.ToTensor(),
    ])
    # END SOLUTION


def get_data""", {"3.1", "3.2"}),
    "dropout stays on in eval mode": (
        "simple_net_dropout.py", "return self.fc_layers(self.cnn_layers(x).flatten(1))",
        "return self.fc_layers.train()(self.cnn_layers(x).flatten(1))", {"4.4"}),
    "loss summed where the mean was asked": (
        "dl_utils.py", "loss = loss / model_output.shape[0]", "loss = loss", {"5.3.1"}),
    "arg-max over the wrong dimension": (
        "dl_utils.py", "torch.argmax(model_output, dim=1)", "torch.argmax(model_output, dim=0)",
        {"5.1", "5.4"}),
    "transposed confusion matrix": (
        "confusion_matrix.py", "(np.asarray(targets), np.asarray(predictions))",
        "(np.asarray(predictions), np.asarray(targets))", {"6.1", "6.2", "6.3"}),
    "confusion matrix normalized over columns": (
        "confusion_matrix.py", "matrix.sum(axis=1, keepdims=True)",
        "matrix.sum(axis=0, keepdims=True)", {"6.1", "6.3"}),
    "AlexNet with nothing frozen": (
        "my_alexnet.py", "            param.requires_grad = False\n", "            pass\n",
        {"7.2", "7.3"}),
    "AlexNet with everything frozen, the new last layer too": (
        "my_alexnet.py", ("for param in self.fc_layers[-1].parameters():\n"
                          "            param.requires_grad = True"),
        "for param in self.fc_layers[-1].parameters():\n            param.requires_grad = False",
        {"7.3"}),
    "quantize without clamping": (
        "quantization.py", "torch.clamp(torch.round(tensor / scale) + zero_point, 0, qmax)",
        "torch.round(tensor / scale) + zero_point", {"9.1.7"}),
    "quantized model small but inaccurate (calibrated on zeros)": (
        "quantization.py", "prepared(calibration_images.cpu())",
        "prepared(torch.zeros_like(calibration_images))", {"9.4"}),
}


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_mistake_loses_exactly_its_points(mistake, wrong_submissions):
    file, old, new, expected = MISTAKES[mistake]
    graded = wrong_submissions.grade(
        "scene_recognition", wrong_submissions.make("scene_recognition", file, old, new), *QUICK)
    assert graded.failed == expected, {t["number"]: t["output"][:300]
                                       for t in graded.document["tests"]
                                       if t["number"] in graded.failed ^ expected}
    assert graded.lost == pytest.approx(graded.worth(expected)) and graded.lost > 0
