import time

import pytest

from grader.toolkit.timing import compare, within_ratio


def sleeper(seconds):
    def call(*_):
        time.sleep(seconds)
    return call


def test_slow_candidate_has_a_large_ratio():
    # 10x apart, so that scheduler delays on a loaded machine cannot close the gap.
    result = compare(sleeper(0.05), sleeper(0.005), lambda i: (i,), warmup=1, repeats=9)
    assert result.ratio > 1.5, result
    assert not within_ratio(result, 1.5) and within_ratio(result, 10)
    rounds = 9 * 2 ** (result.attempts - 1)  # a measurement taken again has twice the rounds
    assert len(result.samples["candidate"]) == len(result.samples["reference"]) == rounds


def test_same_callable_has_a_ratio_near_one():
    call = sleeper(0.02)
    result = compare(call, call, lambda i: (i,), warmup=1, repeats=9)
    assert 0.6 < result.ratio < 1.6, result
    assert within_ratio(result, 1.5)


def test_interleaved_with_fresh_inputs():
    calls = []

    def side(name):
        return lambda x: calls.append((name, x))

    compare(side("c"), side("r"), lambda i: (f"input{i}",), warmup=1, repeats=2)
    assert calls == [("c", "input0"), ("r", "input0"), ("r", "input1"), ("c", "input1"),
                     ("c", "input2"), ("r", "input2")]


def test_inputs_are_made_per_call():
    made = []
    compare(lambda x: None, lambda x: None, lambda i: made.append(i) or (i,), warmup=0, repeats=3)
    assert made == [0, 0, 1, 1, 2, 2]


def test_needs_a_timed_round():
    with pytest.raises(ValueError):
        compare(print, print, lambda i: (), repeats=0)


def test_the_candidate_is_paused_while_the_reference_is_timed():
    events = []

    class Pause:
        def __enter__(self):
            events.append("pause")

        def __exit__(self, *exc):
            events.append("resume")

    compare(lambda x: events.append("c"), lambda x: events.append("r"), lambda i: (i,),
            warmup=0, repeats=2, pause_candidate=Pause)
    assert events == ["c", "pause", "r", "resume", "pause", "r", "resume", "c"]


def test_a_reference_disturbed_in_every_attempt_is_reported():
    calls = iter(range(1000))

    def jumpy(*_):  # every third call is 20x slower: interference, not the code
        time.sleep(0.04 if next(calls) % 3 == 0 else 0.002)

    result = compare(sleeper(0.002), jumpy, lambda i: (i,), warmup=0, repeats=6, attempts=2)
    assert result.disturbed and result.reference_spread > 3


def test_a_steady_reference_is_not_disturbed():
    result = compare(sleeper(0.002), sleeper(0.01), lambda i: (i,), warmup=1, repeats=5)
    assert not result.disturbed
