"""Nod and shake detectors on synthetic pose traces (no MediaPipe)."""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pytest

from beckon.vision.gestures import (
    GestureEvent,
    GestureParams,
    NodDetector,
    OscillationDetector,
    PoseSample,
    ShakeDetector,
)
from tests.vision.traces import Wave, nodding, sine, zero

FPS = 30.0


def nod_wave(start: float, cycles: float = 2, swing: float = 10.0, hz: float = 1.0) -> Wave:
    """Chin down by ``swing`` and back, ``cycles`` times, starting at ``start``."""
    return nodding(start, cycles, swing, hz)


def trace(
    seconds: float,
    pitch: Wave = zero,
    yaw: Wave = zero,
    *,
    noise: float = 0.25,
    fps: float = FPS,
    seed: int = 0,
    found: Callable[[float], bool] = lambda t: True,
    quality: float = 1.0,
    yaw_offset: float = 0.0,
) -> list[PoseSample]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(round(seconds * fps)):
        t = i / fps
        ok = found(t)
        out.append(
            PoseSample(
                t=t,
                found=ok,
                pitch=pitch(t) + rng.normal(0, noise) if ok else None,
                yaw=yaw(t) + yaw_offset + rng.normal(0, noise * 0.5) if ok else None,
                quality=quality if ok else 0.0,
            )
        )
    return out


def run(detector: OscillationDetector, samples: list[PoseSample]) -> list[GestureEvent]:
    events = []
    for s in samples:
        e = detector.update(s)
        if e is not None:
            events.append(e)
    return events


def test_event_json_contract() -> None:
    e = GestureEvent(t=3.41666, gesture="nod", confidence=0.9349)
    d = e.to_json_dict()
    assert d == {"type": "gesture", "gesture": "nod", "t": 3.42, "confidence": 0.93}
    assert list(d) == ["type", "gesture", "t", "confidence"]
    assert json.loads(json.dumps(d)) == d


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_noisy_sine_nod_gives_one_nod_soon_after_it_ends(seed: int) -> None:
    samples = trace(6.0, pitch=nod_wave(1.5, cycles=2, swing=10), seed=seed)
    events = run(NodDetector(), samples)
    assert [e.gesture for e in events] == ["nod"]
    end = 3.5
    assert end <= events[0].t <= end + 0.6
    assert 0.6 <= events[0].confidence <= 1.0
    assert run(ShakeDetector(), samples) == []


def test_noisy_sine_shake_gives_one_shake_and_no_nod() -> None:
    samples = trace(6.0, yaw=sine(1.5, 2.0, swing=20, hz=1.0), seed=4)
    events = run(ShakeDetector(), samples)
    assert [e.gesture for e in events] == ["shake"]
    assert 3.5 <= events[0].t <= 4.1
    assert run(NodDetector(), samples) == []


def test_slow_small_nod_of_a_weak_patient_is_found() -> None:
    samples = trace(8.0, pitch=nod_wave(1.5, cycles=2, swing=6, hz=0.5), noise=0.2)
    events = run(NodDetector(), samples)
    assert [e.gesture for e in events] == ["nod"]
    assert 5.5 <= events[0].t <= 6.2


def test_frame_rate_does_not_matter() -> None:
    for fps in (12.0, 60.0):
        samples = trace(6.0, pitch=nod_wave(1.5, swing=10), fps=fps)
        assert len(run(NodDetector(), samples)) == 1, fps


def test_resting_noise_and_tremor_give_nothing() -> None:
    still = trace(20.0, noise=0.3)
    assert run(NodDetector(), still) == [] and run(ShakeDetector(), still) == []
    # A 5 Hz tremor of 3 degrees peak to peak on both axes.
    tremor = trace(10.0, pitch=sine(1.0, 8.0, 3.0, 5.0), yaw=sine(1.0, 8.0, 3.0, 4.5))
    assert run(NodDetector(), tremor) == [] and run(ShakeDetector(), tremor) == []
    # A fast, larger tremor (7 Hz, 6 degrees) is too quick to be a deliberate nod.
    fast = trace(6.0, pitch=sine(1.0, 4.0, 6.0, 7.0))
    assert run(NodDetector(), fast) == []


def test_threshold_follows_the_measured_noise() -> None:
    samples = trace(6.0, pitch=nod_wave(1.5, swing=7), noise=0.2)
    quiet = NodDetector()
    quiet.set_noise(pitch=0.2, yaw=0.1)
    assert len(run(quiet, samples)) == 1
    noisy_camera = NodDetector()
    noisy_camera.set_noise(pitch=1.5, yaw=0.5)  # 6 x 1.5 = 9 degrees needed
    assert noisy_camera.swing_threshold == pytest.approx(9.0)
    assert run(noisy_camera, samples) == []


def test_single_dip_is_not_a_nod() -> None:
    samples = trace(5.0, pitch=nod_wave(1.5, cycles=1, swing=12))
    assert run(NodDetector(), samples) == []


def test_nod_with_yaw_motion_at_the_same_time_is_rejected() -> None:
    samples = trace(6.0, pitch=nod_wave(1.5, swing=12), yaw=sine(1.5, 2.0, 10.0, 1.0))
    assert run(NodDetector(), samples) == []
    assert run(ShakeDetector(), samples) == []
    # The same nod with the yaw quiet is found, so the rejection is due to the yaw.
    assert len(run(NodDetector(), trace(6.0, pitch=nod_wave(1.5, swing=12)))) == 1


def test_shake_with_pitch_motion_is_rejected() -> None:
    samples = trace(6.0, pitch=sine(1.5, 2.0, 12.0, 1.0), yaw=sine(1.5, 2.0, 16.0, 1.0))
    assert run(ShakeDetector(), samples) == []


def test_cooldown_and_one_event_per_long_gesture() -> None:
    long_nod = trace(9.0, pitch=nod_wave(1.0, cycles=6, swing=10, hz=1.0))
    assert len(run(NodDetector(), long_nod)) == 1

    def two_nods(gap: float) -> list[PoseSample]:
        first, second = nod_wave(1.0, swing=10), nod_wave(3.0 + gap, swing=10)
        return trace(8.0 + gap, pitch=lambda t: first(t) + second(t))

    # The second nod completes 2.0 + gap seconds after the first: inside the cooldown ...
    params = GestureParams(cooldown_s=4.0)
    assert len(run(NodDetector(params), two_nods(0.5))) == 1
    # ... and outside it.
    events = run(NodDetector(), two_nods(1.0))
    assert len(events) == 2 and events[1].t - events[0].t >= 1.5


def test_no_events_while_the_face_is_lost_or_poor_or_turned_away() -> None:
    nod = nod_wave(1.5, swing=12)
    lost = trace(6.0, pitch=nod, found=lambda t: not 2.4 <= t <= 2.7)
    assert run(NodDetector(), lost) == []
    poor = trace(6.0, pitch=nod, quality=0.3)
    assert run(NodDetector(), poor) == []
    away = trace(6.0, pitch=nod, yaw_offset=50.0)
    assert run(NodDetector(), away) == []
    unknown = [PoseSample(s.t, s.found, None, None, 1.0) for s in trace(6.0, pitch=nod)]
    assert run(NodDetector(), unknown) == []


def test_confidence_grows_with_amplitude() -> None:
    small = run(NodDetector(), trace(6.0, pitch=nod_wave(1.5, swing=6), noise=0.1))
    large = run(NodDetector(), trace(6.0, pitch=nod_wave(1.5, swing=14), noise=0.1))
    assert len(small) == len(large) == 1
    assert small[0].confidence < large[0].confidence
