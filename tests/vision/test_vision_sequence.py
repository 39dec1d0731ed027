"""The sequence model: features, resampling, the shipped ONNX file, and reproducible training."""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path

import numpy as np
import pytest

from beckon.profile import GestureProfile
from beckon.vision.engine import GestureEngine
from beckon.vision.face import FaceObservation
from beckon.vision.sequence import (
    CLASSES,
    N_FEATURES,
    WINDOW,
    FeatureWindow,
    SequenceModel,
    SequenceVerifier,
    frame_features,
    packaged_model,
    scales,
)
from tests.vision.traces import Patient, held, nodding

REPO = Path(__file__).resolve().parents[2]


def shipped_model() -> Path:
    """The gesture model the package ships (packaged_model() is None only if it is missing)."""
    path = packaged_model()
    assert path is not None, "the package ships gesture_tcn.onnx"
    return path


def test_features_are_in_multiples_of_the_patients_thresholds() -> None:
    profile = (
        GestureProfile()
        .with_gesture("look_down", threshold=4.0)
        .with_gesture("look_up", threshold=4.0)
        .with_gesture("long_blink", threshold=0.3)
    )
    obs = FaceObservation(
        t=0.0,
        found=True,
        pitch=8.0,
        yaw=0.0,
        roll=0.0,
        quality=1.0,
        blendshapes={"eyeBlinkLeft": 0.35, "eyeBlinkRight": 0.35, "jawOpen": 0.05},
    )
    f = frame_features(obs, {"blink": 0.05, "jaw": 0.05, "brow": 0.0}, scales(profile))
    assert f.shape == (N_FEATURES,)
    assert f[0] == pytest.approx(2.0)  # 8 degrees of pitch = twice the look threshold
    assert f[3] == pytest.approx(1.0)  # blink 0.30 above rest = the patient's threshold
    assert f[6] == 1.0
    missing = frame_features(FaceObservation(t=0.0, found=False), {}, scales(profile))
    assert not missing.any()


def test_the_window_resamples_any_camera_to_the_models_rate() -> None:
    window = FeatureWindow()
    for i in range(90):  # 3 s at 30 fps
        window.push(i / 30, np.full(N_FEATURES, float(i), dtype=np.float32))
    a = window.array()
    assert a.shape == (WINDOW, N_FEATURES)
    assert a[-1, 0] >= 88  # the newest frame is last
    assert np.all(np.diff(a[:, 0]) > 0)  # one slot per 1/15 s, in order
    slow = FeatureWindow()
    for i in range(10):  # 1 s at 10 fps fills 15 slots, the rest is zero padding
        slow.push(i / 10, np.ones(N_FEATURES, dtype=np.float32))
    assert (slow.array().sum(axis=1) > 0).sum() == 14


def test_the_shipped_model_is_listed_with_its_hash_and_is_small() -> None:
    path = packaged_model()
    assert path is not None and path.name == "gesture_tcn.onnx"
    manifest = tomllib.loads((REPO / "models" / "manifest.toml").read_text())
    entry = manifest["ours"]["gesture_tcn"]
    assert entry["file"] == "gesture_tcn.onnx"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]
    assert path.stat().st_size < 1_000_000
    assert (REPO / "models" / "README.md").is_file()


def test_the_shipped_model_gives_a_probability_per_class() -> None:
    model = SequenceModel(shipped_model())
    assert model.classes == CLASSES
    probs = model.probabilities(np.zeros((3, WINDOW, N_FEATURES), dtype=np.float32))
    assert probs.shape == (3, len(CLASSES))
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)


def test_a_clear_nod_passes_the_model_and_a_resting_face_is_none() -> None:
    profile = GestureProfile()
    verifier = SequenceVerifier(shipped_model(), profile)
    engine = GestureEngine(profile, verifier=verifier)
    events = []
    for obs in Patient(pitch=nodding(2.0, 2, 10.0, 1.0), noise_deg=0.1).trace(6.0):
        events += engine.update(obs)
    assert [e.gesture for e in events] == ["nod"]
    rest = SequenceVerifier(shipped_model(), profile, mode="veto")
    for obs in Patient(noise_deg=0.1).trace(3.0):
        rest.push(obs, {"blink": 0.05, "jaw": 0.02, "brow": 0.05})
    assert not rest.agrees("turn_left")
    assert max(rest.last, key=lambda k: rest.last[k]) == "none"


def test_by_default_the_model_scores_and_never_vetoes() -> None:
    # It did not earn its veto on footage it was not trained on (docs/gestures.md): a resting
    # window lowers an event's confidence but lets it through.
    verifier = SequenceVerifier(shipped_model(), GestureProfile())
    assert verifier.mode == "score"
    for obs in Patient(noise_deg=0.1).trace(3.0):
        verifier.push(obs, {"blink": 0.05, "jaw": 0.02, "brow": 0.05})
    assert verifier.agrees("turn_left")
    rated = verifier.rate("turn_left", 0.9)
    assert 0.9 * 0.7 <= rated < 0.9
    assert max(verifier.last, key=lambda k: verifier.last[k]) == "none"


def test_the_model_can_veto_but_never_invent_an_event() -> None:
    quiet = Patient(yaw=held(2.0, 0.3, 3.0), noise_deg=0.1)
    verifier = SequenceVerifier(shipped_model(), GestureProfile())
    engine = GestureEngine(GestureProfile(), verifier=verifier)
    assert [e for o in quiet.trace(5.0) for e in engine.update(o)] == []


def test_training_is_reproducible_with_the_same_seed(tmp_path: Path) -> None:
    from beckon.lab.train import Dataset, export, train

    rng = np.random.default_rng(5)
    x = rng.normal(0, 1, size=(96, WINDOW, N_FEATURES)).astype(np.float32)
    y = rng.integers(0, len(CLASSES), size=96).astype(np.int64)
    x[y == 1, :, 0] += 2.0  # something learnable
    hashes = []
    for run in range(2):
        model, metrics = train(Dataset(x, y), seed=3, epochs=2, batch=32)
        hashes.append(export(model, tmp_path / f"m{run}.onnx", {"seed": "3"}))
        assert metrics["windows"] == 96
    assert hashes[0] == hashes[1]
    SequenceModel(tmp_path / "m0.onnx")  # and it loads in onnxruntime
