"""Train the gesture sequence model and export it to ONNX (needs the ``train`` extra: PyTorch).

    python -m beckon.lab.train --out models/gesture_tcn.onnx [--cache DIR] [--recipe wide]

Data recipe (:func:`training_clips`): the benchmark footage of the *training* faces only
(``benchdata.TRAIN_FACES``; faces in ``SCORE_ONLY_FACES`` are never read) plus a set of clips of
the mirrored training face (recipe seed 1, four negative blocks per patient), rendered and
observed by MediaPipe exactly as in ``beckon bench gestures`` and shared through the same
observation cache. Each patient is
calibrated on its own calibration clip; features are those of
:func:`beckon.vision.sequence.frame_features`. A window ending at time ``t`` is labelled with
a gesture whose end lies in ``[t - 1.2, t + 0.3]`` (where the rule-based events fire), as
"none" if no gesture is near, and skipped while a gesture is still under way. Augmentation:
left-right mirroring (yaw and roll negated, left and right labels swapped), and
:func:`augment` (per-channel gains and offsets, random cross-talk, noise).

Determinism: one thread, fixed seeds, deterministic algorithms; the same data and seed give
the same weights and the same ONNX bytes on the same PyTorch version (different PyTorch or
CPU builds may differ in the last bits of floating point).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sys
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from beckon.lab import benchdata
from beckon.vision.calibration import calibrate, default_takes
from beckon.vision.sequence import (
    CLASSES,
    FEATURE_NAMES,
    N_FEATURES,
    RATE_HZ,
    WINDOW,
    frame_features,
    scales,
)

logger = logging.getLogger(__name__)

MIRROR = {
    "turn_left": "turn_right",
    "turn_right": "turn_left",
    "tilt_left": "tilt_right",
    "tilt_right": "tilt_left",
}


@dataclass
class Dataset:
    x: npt.NDArray[np.float32]  # (N, WINDOW, N_FEATURES)
    y: npt.NDArray[np.int64]  # (N,)


def clip_windows(
    feats: npt.NDArray[np.float32],
    t: npt.NDArray[np.float64],
    labels: Sequence[benchdata.Label],
    stride: int = 2,
) -> tuple[list[npt.NDArray[np.float32]], list[int]]:
    """Labelled windows of one clip (features already at the model's rate)."""
    xs, ys = [], []
    for end in range(WINDOW, len(feats) + 1, stride):
        now = float(t[end - 1])
        label = 0
        skip = False
        for lb in labels:
            if lb.end - 0.3 <= now <= lb.end + 1.2:
                label = CLASSES.index(lb.gesture)
            elif lb.start <= now < lb.end - 0.3:
                skip = True
        if skip and label == 0:
            continue
        xs.append(feats[end - WINDOW : end])
        ys.append(label)
    return xs, ys


def resample(
    feats: npt.NDArray[np.float32], t: npt.NDArray[np.float64], rate: float
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float64]]:
    """Features at ``rate`` Hz by taking the latest frame at each tick (as FeatureWindow does)."""
    ticks = np.arange(t[0], t[-1] + 1e-9, 1.0 / rate)
    idx = np.clip(np.searchsorted(t, ticks + 1e-6, side="right") - 1, 0, len(t) - 1)
    return feats[idx], ticks


def observed_windows(
    obs: Sequence[Any],
    rest: Mapping[str, float],
    scale: npt.NDArray[np.float32],
    labels: Sequence[benchdata.Label],
) -> tuple[list[npt.NDArray[np.float32]], list[int]]:
    """Labelled windows of one clip's observations: each frame's features, taken at the
    model's rate as the bedside's FeatureWindow takes them. One way for every dataset, so the
    calibrated and the uncalibrated training sets cannot drift apart."""
    feats = np.stack([frame_features(o, rest, scale) for o in obs])
    t = np.array([o.t for o in obs])
    feats, ticks = resample(feats, t, RATE_HZ)
    return clip_windows(feats, ticks, labels)


def _refuse_score_face(clip: benchdata.ClipSpec) -> None:
    """Score faces are for measuring only: a model trained on them would be scored on what it
    learned."""
    if clip.face in benchdata.SCORE_ONLY_FACES:
        raise ValueError(f"{clip.name}: score faces must never be used for training")


def _dataset(xs: list[npt.NDArray[np.float32]], ys: list[int]) -> Dataset:
    return Dataset(np.stack(xs).astype(np.float32), np.array(ys, dtype=np.int64))


def build_dataset(
    clips: Sequence[benchdata.ClipSpec], observed: dict[str, benchdata.Observed]
) -> Dataset:
    """Windows and labels from the training faces' clips (see the module docstring)."""
    from beckon.lab.gesture_bench import observations

    profiles = {}
    for c in clips:
        if c.kind == "calibration":
            obs = observations(observed[c.name], np.eye(3))
            profiles[c.patient] = calibrate(obs, default_takes(c.labels)).profile
    xs: list[npt.NDArray[np.float32]] = []
    ys: list[int] = []
    for c in clips:
        _refuse_score_face(c)
        profile = profiles[c.patient]
        neutral = np.array(profile.calibration.neutral_rotation).reshape(3, 3)
        obs = observations(observed[c.name], neutral)
        cx, cy = observed_windows(obs, profile.calibration.rest, scales(profile), c.labels)
        xs += cx
        ys += cy
    return _dataset(xs, ys)


def build_wide_dataset(
    clips: Sequence[benchdata.ClipSpec], observed: dict[str, benchdata.Observed]
) -> Dataset:
    """Windows and labels from widened-recipe clips, seen as an uncalibrated bedside sees them:
    the neutral pose learned on line from the clip, the default profile's resting face and
    scales (as :func:`beckon.lab.gesture_bench.online_events` scores them)."""
    from beckon.profile import GestureProfile
    from beckon.vision.face import observation
    from beckon.vision.pose import NeutralPose

    profile = GestureProfile()
    scale = scales(profile)
    rest = profile.calibration.rest
    xs: list[npt.NDArray[np.float32]] = []
    ys: list[int] = []
    for c in clips:
        _refuse_score_face(c)
        seen = observed[c.name]
        neutral = NeutralPose()
        obs = []
        for i, shapes in enumerate(seen.blendshape_dicts()):
            rotation = seen.rotation[i] if seen.found[i] else None
            obs.append(observation(neutral, float(seen.t[i]), rotation, seen.quality[i], shapes))
        cx, cy = observed_windows(obs, rest, scale, c.labels)
        xs += cx
        ys += cy
    return _dataset(xs, ys)


def mirrored(ds: Dataset) -> Dataset:
    """Left-right mirror: yaw and roll change sign, left and right gestures swap."""
    x = ds.x.copy()
    x[..., FEATURE_NAMES.index("yaw")] *= -1
    x[..., FEATURE_NAMES.index("roll")] *= -1
    swap = np.array([CLASSES.index(MIRROR.get(c, c)) for c in CLASSES])
    return Dataset(x, swap[ds.y])


def augment(x: npt.NDArray[np.float32], rng: np.random.Generator) -> npt.NDArray[np.float32]:
    """What differs between faces and cameras, so that one training face generalises.

    Each window is stretched in time by 0.8 to 1.25, and gets its own gain per channel
    (calibration is never exact), a constant offset (the neutral pose and resting face
    drift), cross-talk from head angles into the other
    channels (MediaPipe's expression scores and angles move a little with every head turn,
    differently on every face), and frame noise.
    """
    n = len(x)
    # Time stretch, anchored at the window's end (where the rules fire): a little faster or
    # slower than the performances rendered.
    stretch = rng.uniform(0.8, 1.25, size=n)
    steps = np.arange(x.shape[1])[::-1].astype(np.float64)  # frames before the end
    out = np.empty_like(x)
    for i in range(n):
        pos = np.clip(x.shape[1] - 1 - steps * stretch[i], 0, x.shape[1] - 1)
        lo = np.floor(pos).astype(int)
        hi = np.minimum(lo + 1, x.shape[1] - 1)
        w = (pos - lo)[:, None].astype(np.float32)
        out[i] = x[i, lo] * (1 - w) + x[i, hi] * w
    x = out
    out = x.copy()
    moving = slice(0, 6)
    out[..., moving] *= rng.uniform(0.6, 1.5, size=(n, 1, 6)).astype(np.float32)
    out[..., moving] += rng.normal(0.0, 0.15, size=(n, 1, 6)).astype(np.float32)
    mix = rng.normal(0.0, 0.25, size=(n, 3, 6)).astype(np.float32)
    mix[:, np.arange(3), np.arange(3)] = 0.0
    out[..., moving] += np.einsum("nta,nab->ntb", x[..., 0:3], mix)
    out[..., moving] += rng.normal(0.0, 0.05, size=out[..., moving].shape).astype(np.float32)
    return out


def _net(torch: Any) -> Any:
    nn = torch.nn

    class TCN(nn.Module):  # type: ignore[name-defined]
        """Dilated 1D convolutions over time, then mean and max pooling, then a linear layer."""

        def __init__(self) -> None:
            super().__init__()
            self.body = nn.Sequential(
                nn.Conv1d(N_FEATURES, 32, 5, padding=2),
                nn.ReLU(),
                nn.Conv1d(32, 32, 5, padding=4, dilation=2),
                nn.ReLU(),
                nn.Conv1d(32, 32, 5, padding=8, dilation=4),
                nn.ReLU(),
            )
            self.head = nn.Linear(64, len(CLASSES))

        def forward(self, x: Any) -> Any:  # x: (batch, WINDOW, N_FEATURES)
            h = self.body(x.transpose(1, 2))
            pooled = torch.cat([h.mean(dim=2), h.amax(dim=2)], dim=1)
            return self.head(pooled)

    return TCN()


def train(
    ds: Dataset,
    *,
    seed: int = 0,
    epochs: int = 30,
    batch: int = 128,
    lr: float = 3e-3,
) -> tuple[Any, dict[str, Any]]:
    """Train deterministically; returns (model, metrics on a held-back 15% of the windows)."""
    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(ds.y))
    n_val = max(1, len(order) * 15 // 100)
    val, tr = order[:n_val], order[n_val:]
    x = torch.from_numpy(ds.x)
    y = torch.from_numpy(ds.y)
    counts = np.bincount(ds.y[tr], minlength=len(CLASSES)).astype(np.float64)
    weights = torch.tensor(
        (counts.sum() / np.maximum(counts, 1.0) / len(CLASSES)) ** 0.5, dtype=torch.float32
    )
    model = _net(torch)
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=1e-4)
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights)
    for epoch in range(epochs):
        model.train()
        perm = tr[rng.permutation(len(tr))]
        total = 0.0
        for i in range(0, len(perm), batch):
            idx = torch.from_numpy(perm[i : i + batch])
            xb = torch.from_numpy(augment(ds.x[perm[i : i + batch]], rng))
            opt.zero_grad()
            loss = loss_fn(model(xb), y[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        if epoch % 5 == 4 or epoch == epochs - 1:
            logger.info("epoch %d: loss %.4f", epoch + 1, total / len(tr))
    model.eval()
    with torch.no_grad():
        pred = model(x[torch.from_numpy(val)]).argmax(dim=1).numpy()
    truth = ds.y[val]
    metrics = {
        "windows": len(ds.y),
        "validation_windows": int(n_val),
        "validation_accuracy": round(float((pred == truth).mean()), 4),
        "validation_gesture_recall": round(
            float((pred[truth > 0] == truth[truth > 0]).mean()) if (truth > 0).any() else 1.0, 4
        ),
        "validation_none_kept": round(float((pred[truth == 0] == 0).mean()), 4),
    }
    return model, metrics


def export(model: Any, out: Path, metadata: dict[str, str]) -> str:
    """Write the ONNX file with its metadata; returns its SHA-256."""
    import torch

    example = torch.zeros(1, WINDOW, N_FEATURES)
    out.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # The TorchScript exporter is deprecated but needs no onnxscript and gives stable bytes.
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(
            model,
            (example,),
            str(out),
            input_names=["window"],
            output_names=["logits"],
            dynamic_axes={"window": {0: "batch"}, "logits": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )
    try:
        import onnx

        proto = onnx.load(str(out))
        for k, v in metadata.items():
            entry = proto.metadata_props.add()
            entry.key, entry.value = k, v
        onnx.save(proto, str(out))
    except ImportError:
        logger.warning("the onnx package is missing: metadata not embedded (defaults apply)")
    return hashlib.sha256(out.read_bytes()).hexdigest()


def training_clips() -> list[benchdata.ClipSpec]:
    """The benchmark's clips of the training faces, plus the mirrored face's own set."""
    bench = [c for c in benchdata.recipe() if c.face in benchdata.TRAIN_FACES]
    extra = benchdata.recipe(("astronaut_mirror",), seed=1, negatives_per_patient=4)
    return bench + extra


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("models/gesture_tcn.onnx"))
    parser.add_argument("--cache", type=Path, help="observation cache (default under BECKON_HOME)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--veto-threshold", type=float, default=0.8)
    parser.add_argument("--model", type=Path, help="face_landmarker.task (default: installed)")
    parser.add_argument(
        "--recipe",
        choices=("classic", "wide"),
        default="classic",
        help="classic: the first recipe's training faces; wide: the widened recipe's tune "
        "part (the mirrored training face, seen as an uncalibrated bedside; never the score "
        "part)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    from beckon.modelstore import require_model

    model_path = args.model or require_model("face_landmarker")
    if args.recipe == "wide":
        from beckon.lab import widerecipe

        tune = widerecipe.wide_recipe("tune")
        seen = benchdata.observe_all(tune, model_path, args.cache, workers=args.workers)
        ds = build_wide_dataset(tune, seen)
    else:
        clips = training_clips()
        observed = benchdata.observe_all(clips, model_path, args.cache, workers=args.workers)
        ds = build_dataset(clips, observed)
    ds = Dataset(np.concatenate([ds.x, mirrored(ds).x]), np.concatenate([ds.y, mirrored(ds).y]))
    net, metrics = train(ds, seed=args.seed, epochs=args.epochs)
    meta = {
        "classes": json.dumps(CLASSES),
        "features": json.dumps(FEATURE_NAMES),
        "window": str(WINDOW),
        "veto_threshold": str(args.veto_threshold),
        "seed": str(args.seed),
        "recipe": args.recipe,
        "metrics": json.dumps(metrics),
    }
    sha = export(net, args.out, meta)
    print(json.dumps({"out": str(args.out), "sha256": sha, **metrics}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
