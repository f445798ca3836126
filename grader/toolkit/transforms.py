"""A transform pipeline's steps, named by what each does to images the judge picks.

A step's type name is the student's to choose (a class named ``ColorJitter`` may
do nothing), so the judge names each step by its behaviour instead:

- `steps` takes the pipeline's ``transforms`` list and binds it to the pipeline:
  with the worker's RNG seeded alike, the steps applied one by one must give what
  the pipeline gives, so a list that is not what the call runs is caught;
- `identify` feeds each step fresh inputs of the kind it takes in the pipeline
  (an image before the conversion to a tensor, a tensor after), reads image
  outputs through the pipeline's own conversion step once that step is shown to
  compute ``ToTensor`` exactly, and names the step after the first operation
  whose signature its outputs show (`OPERATIONS`, or the test's own).

Every number comes back as a plain tensor the judge decodes; nothing the worker
says about a step (its type, its attributes) is read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from grader.toolkit import checks

CALLS = 24          # calls per step; a fair coin shows one face 24 times with p = 1.2e-7
OTHER = "other"     # the name of a step no operation matches
JITTER_ATOL = 3 / 255  # a brightness and a contrast change, each rounded to whole grey levels


@dataclass(frozen=True)
class Step:
    """One step of a pipeline: its handle and the kinds it took and gave in a run."""

    handle: Any
    takes: str    # "image" or "tensor"
    gives: str
    shape: tuple  # the shape of the tensor it took (tensor steps)


@dataclass(frozen=True)
class Observation:
    """What a step made of one input, call after call, as C x H x W floats in [0, 1] for images."""

    step: Step
    pixels: np.ndarray | None       # the image given (uint8), None for a tensor step
    given: torch.Tensor             # the input as a float tensor
    outputs: list[torch.Tensor]

    @property
    def deterministic(self) -> bool:
        return all(torch.equal(out, self.outputs[0]) for out in self.outputs[1:])

    @property
    def distinct(self) -> int:
        return len({out.numpy().tobytes() for out in self.outputs})


def probe_pixels(np_rng: np.random.Generator, height: int, width: int,
                 channels: int = 1) -> np.ndarray:
    """A uint8 image with coarse shapes and fine grain, all in mid grey (88 to 167): a mirror
    or a blur changes most pixels, and brightness and contrast changes of up to 40% clip
    none, so each is an affine map of the values."""
    shape = (height, width) if channels == 1 else (height, width, channels)
    coarse = np_rng.uniform(100, 155, size=(4, 4, channels)).astype(np.float32)
    base = F.interpolate(torch.from_numpy(coarse).permute(2, 0, 1)[None], size=(height, width),
                         mode="bilinear", align_corners=False)[0].permute(1, 2, 0).numpy()
    grain = np_rng.uniform(-12, 12, size=base.shape)
    return np.clip(base + grain, 0, 255).astype(np.uint8).reshape(shape)


def as_float(pixels: np.ndarray) -> torch.Tensor:
    """What ToTensor makes of a uint8 H x W (x C) array: C x H x W floats in [0, 1]."""
    tensor = torch.from_numpy(np.array(pixels, dtype=np.float32) / 255)
    return tensor[None] if tensor.ndim == 2 else tensor.permute(2, 0, 1)


def steps(submission, transform, pixels: np.ndarray, seed: int, *, name: str) -> list[Step]:
    """The pipeline's steps, checked to be what its call runs on ``pixels``."""
    # Plain data came back as itself; an object in the worker as a handle with a type name.
    assert hasattr(transform, "type_name"), (
        f"{name} should be a transforms.Compose, got {type(transform).__name__} {transform!r:.60}")
    handles = list(transform.transforms)
    assert all(callable(handle) for handle in handles), (
        f"{name}.transforms should hold the steps (transforms), got {handles!r:.80}")
    image = submission.helpers.pil_image(pixels)
    submission.helpers.manual_seed(seed)
    whole = checks.check_tensor(transform(image), name=f"{name}'s output",
                                hint="a pipeline of images ends in a tensor (ToTensor, Normalize)")
    submission.helpers.manual_seed(seed)
    value, found = image, []
    for handle in handles:
        takes = "tensor" if isinstance(value, torch.Tensor) else "image"
        shape = tuple(value.shape) if takes == "tensor" else ()
        value = handle(value)
        found.append(Step(handle, takes, "tensor" if isinstance(value, torch.Tensor) else "image",
                          shape))
    assert isinstance(value, torch.Tensor) and torch.equal(value, whole), (
        f"applying the steps in {name}.transforms one by one does not give what {name} gives: "
        "build it with transforms.Compose([...]) and leave its steps as they are")
    return found


def _observe(submission, step: Step, converter: Step | None, make_pixels: Callable[[], np.ndarray],
             np_rng: np.random.Generator) -> Observation | None:
    """``CALLS`` outputs of ``step`` on one fresh input like those it takes in the pipeline."""
    if step.takes == "tensor":
        given = torch.from_numpy(np_rng.uniform(0.05, 0.95, size=step.shape).astype(np.float32))
        outputs = [step.handle(given) for _ in range(CALLS)]
        return Observation(step, None, given, [_tensor(out) for out in outputs])
    fresh = make_pixels()
    image = submission.helpers.pil_image(fresh)
    outputs = [step.handle(image) for _ in range(CALLS)]
    if step.gives == "tensor":
        return Observation(step, fresh, as_float(fresh), [_tensor(out) for out in outputs])
    if converter is None:  # no step is known to read images: this one cannot be seen
        return None
    return Observation(step, fresh, as_float(fresh),
                       [_tensor(converter.handle(out)) for out in outputs])


def _tensor(value) -> torch.Tensor:
    """A step's output as floats; its dtype shows in what it fits (ToTensor's are [0, 1])."""
    return checks.check_tensor(value, finite=False, name="a transform step's output").float()


def identify(submission, transform, make_pixels: Callable[[], np.ndarray],
             np_rng: np.random.Generator, *, name: str,
             operations: Mapping[str, Callable[[Observation], bool]] | None = None) -> list[str]:
    """The name of each step of ``transform`` by what it does (`OTHER`: no operation fits).

    ``make_pixels()`` gives a fresh uint8 image like those the pipeline gets (`probe_pixels`);
    each step is probed with such images or with fresh tensors of the shape it took in a
    run. ``operations`` are tried in order; the first that fits names the step.
    """
    operations = OPERATIONS if operations is None else operations
    seed = int(np_rng.integers(2**31))
    found = steps(submission, transform, make_pixels(), seed, name=name)
    submission.helpers.manual_seed(seed + 1)
    converter = next((s for s in found if s.takes == "image" and s.gives == "tensor"), None)
    if converter is not None and not to_tensor(_observe(submission, converter, None, make_pixels,
                                                        np_rng)):
        converter = None
    names = []
    for step in found:
        observed = _observe(submission, step, converter, make_pixels, np_rng)
        names.append(OTHER if observed is None else
                     next((op for op, fits in operations.items() if fits(observed)), OTHER))
    return names


# ---- operations: each says whether a step's outputs show its signature ------------------------

def to_tensor(seen: Observation) -> bool:
    """An image becomes the C x H x W float tensor of its pixels / 255, every time."""
    step = seen.step
    return (step.takes, step.gives) == ("image", "tensor") and all(
        out.shape == seen.given.shape and torch.allclose(out, seen.given, rtol=0, atol=1e-6)
        for out in seen.outputs)


def normalize(seen: Observation) -> bool:
    """A tensor becomes (x - mean) / std per channel, the same every time, not left as it was."""
    out, x = seen.outputs[0], seen.given
    if seen.step.takes != "tensor" or not seen.deterministic or out.shape != x.shape:
        return False
    for channel_in, channel_out in zip(x.flatten(1), out.flatten(1), strict=True):
        scale, shift = _affine_fit(channel_in, channel_out)
        if not scale > 0 or (channel_in * scale + shift - channel_out).abs().max() > 1e-4 * (
                1 + channel_out.abs().max()):
            return False
    return not torch.allclose(out, x, rtol=0, atol=1e-6)


def resize(seen: Observation) -> bool:
    """An image becomes one of another size, the same every time, close to a bilinear resize."""
    out = seen.outputs[0]
    if seen.pixels is None or seen.step.gives != "image" or not seen.deterministic:
        return False
    if out.shape[1:] == seen.given.shape[1:] or out.shape[0] != seen.given.shape[0]:
        return False
    height, width = out.shape[1:]
    bilinear = Image.fromarray(seen.pixels).resize((width, height), Image.Resampling.BILINEAR)
    return bool((out - as_float(np.asarray(bilinear))).abs().mean() < 0.02)


def horizontal_flip(seen: Observation) -> bool:
    """The input comes back as it was or mirrored left to right, each some of the time."""
    x = seen.given
    kinds = set()
    for out in seen.outputs:
        if out.shape != x.shape:
            return False
        kinds.add("same" if torch.allclose(out, x, rtol=0, atol=1e-6) else
                  "mirrored" if torch.allclose(out, x.flip(-1), rtol=0, atol=1e-6) else "other")
    return kinds == {"same", "mirrored"}


def color_jitter(seen: Observation) -> bool:
    """The outputs are brightness and contrast changes of the input (affine maps of its values,
    up to rounding), changing from call to call. A strong change can clip a value in its
    first stage, which the second moves off the bound: a third of the calls may show it."""
    affine = [out for out in seen.outputs if out.shape == seen.given.shape and
              _brightness_contrast(seen.given, out)]
    return 3 * len(affine) >= 2 * len(seen.outputs) and len(
        {out.numpy().tobytes() for out in affine}) > 1


def _brightness_contrast(x: torch.Tensor, out: torch.Tensor) -> bool:
    kept = (out > 1e-6) & (out < 1 - 1e-6)  # clipped values say nothing of the map
    if kept.float().mean() < 0.25:
        return False
    scale, shift = _affine_fit(x[kept], out[kept])
    return bool((x[kept] * scale + shift - out[kept]).abs().max() <= JITTER_ATOL)


def random_crop(padding: int) -> Callable[[Observation], bool]:
    """Each output is a window of the input zero-padded by ``padding`` on every side, and the
    window moves from call to call."""
    def fits(seen: Observation) -> bool:
        if seen.pixels is None:
            return False
        padded = F.pad(seen.given, (padding,) * 4)
        offsets = set()
        for out in seen.outputs:
            offset = _window(padded, out)
            if offset is None:
                return False
            offsets.add(offset)
        return len(offsets) >= 3
    return fits


def _window(padded: torch.Tensor, out: torch.Tensor) -> tuple[int, int] | None:
    """Where ``out`` sits in ``padded`` (top, left), or None when it is no window of it."""
    height, width = out.shape[-2:]
    if out.shape[0] != padded.shape[0] or height > padded.shape[1] or width > padded.shape[2]:
        return None
    windows = padded.unfold(1, height, 1).unfold(2, width, 1)  # C x top x left x H x W
    error = (windows - out[:, None, None]).abs().amax(dim=(0, 3, 4))
    top, left = divmod(int(error.argmin()), error.shape[1])
    return (top, left) if error[top, left] < 1e-6 else None


def _affine_fit(x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """Least-squares ``scale, shift`` of ``y ~ scale * x + shift``."""
    x, y = x.double().flatten(), y.double().flatten()
    spread = (x - x.mean()).square().sum()
    if spread == 0:
        return float("nan"), float("nan")
    scale = ((x - x.mean()) * (y - y.mean())).sum() / spread
    return float(scale), float(y.mean() - scale * x.mean())


OPERATIONS: dict[str, Callable[[Observation], bool]] = {
    "ToTensor": to_tensor, "Normalize": normalize, "Resize": resize,
    "RandomHorizontalFlip": horizontal_flip, "ColorJitter": color_jitter,
}
