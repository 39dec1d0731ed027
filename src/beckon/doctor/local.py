"""Checks of this machine: models, disk, camera (and a face in view), microphone."""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from beckon import modelstore
from beckon.doctor import Check, failed, passed, skipped
from beckon.errors import BeckonError

log = logging.getLogger(__name__)

# The gesture detectors are tuned on 25 fps footage and need at least this many frames a
# second to see a nod (a nod cycle lasts about half a second).
MIN_FPS = 15.0
# Free space the outbox or station database must have: far more than they ever use (a few
# MB), so that a disk filling up with something else is caught before writes fail.
MIN_FREE_BYTES = 200 * 1024 * 1024
# A microphone that is unplugged or muted delivers digital silence or hiss near -90 dBFS;
# a room with a person in it is above -60 dBFS.
MIN_SOUND_DBFS = -60.0


def check_models(needed: Sequence[str] = ()) -> Check:
    """Every model the manifest marks required, plus ``needed``, present with its SHA-256."""
    problems: list[str] = []
    fixes: list[str] = []
    absent: list[str] = []
    good = 0
    for spec in modelstore.load_manifest().values():
        st = modelstore.status(spec)
        must = spec.required or spec.name in needed
        if st.state == "ok":
            good += 1
        elif st.state == "corrupt" or must:
            problems.append(f"{spec.name} {st.state} ({st.path})")
            fixes.append(modelstore.fix_for(spec))
        else:
            absent.append(OPTIONAL_OFF.get(spec.name, spec.name))
    if problems:
        return failed("models", "; ".join(problems), fixes[0])
    detail = f"{good} model(s) present and intact (SHA-256 checked)"
    if absent:
        detail += "; optional, not installed: " + ", ".join(absent)
    return passed("models", detail)


OPTIONAL_OFF = {
    "hand_landmarker": "hand_landmarker (the hand gate is off: a gesture made with a hand over "
    "the face is not held back; `beckon models fetch hand_landmarker`)",
}
"""What an optional model's absence turns off, where that is worth saying."""


def check_disk(path: Path, what: str) -> Check:
    """The folder of ``path`` is writable and has room (the outbox or the station database)."""
    folder = path.parent
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    usage = shutil.disk_usage(existing)
    free_mb = usage.free / 1e6
    try:
        # The service creates a missing folder itself; then its nearest parent must take it.
        with tempfile.NamedTemporaryFile(dir=existing, prefix=".beckon-doctor-"):
            pass
    except OSError as exc:
        return failed(
            "disk",
            f"cannot write in {existing} ({exc.strerror})",
            f"give the service user write access: install -d -o beckon -g beckon {folder}",
        )
    if usage.free < MIN_FREE_BYTES:
        return failed(
            "disk",
            f"only {free_mb:.0f} MB free in {folder} (the {what} needs room to keep requests)",
            "free space on that disk (old logs, journal: journalctl --vacuum-size=100M)",
        )
    return passed("disk", f"{free_mb:.0f} MB free in {folder}, writable (the {what})")


def check_camera(source: str, model: Path | None, seconds: float = 3.0) -> list[Check]:
    """Frames at the expected rate, and a face in them. ``source`` is a camera number or a
    video file standing in for it; a file is read as fast as it decodes, so its rate check
    says whether this machine decodes frames faster than the file's stated rate."""
    from beckon.vision.frames import camera_index, open_source

    is_file = camera_index(source) is None
    try:
        frames_in = open_source(source)
    except BeckonError as exc:
        return [
            failed("camera", exc.message, exc.hint or _camera_fix(is_file)),
            skipped("face", "no frames to look at"),
        ]
    images: list[np.ndarray] = []
    count = 0
    start = time.monotonic()
    stated = frames_in.fps
    try:
        with frames_in:
            for frame in frames_in:
                count += 1
                if count % 3 == 1 and len(images) < 30:
                    images.append(frame.rgb)
                if time.monotonic() - start >= seconds or (is_file and count >= 150):
                    break
    except BeckonError as exc:
        return [
            failed("camera", exc.message, exc.hint or _camera_fix(is_file)),
            skipped("face", "no frames to look at"),
        ]
    elapsed = max(time.monotonic() - start, 1e-6)
    rate = count / elapsed
    name = f"video file {source}" if is_file else f"camera {source}"
    if count == 0:
        return [
            failed("camera", f"{name} opened but delivered no frame", _camera_fix(is_file)),
            skipped("face", "no frames to look at"),
        ]
    expected = min(stated, MIN_FPS) if is_file else MIN_FPS
    if is_file and stated < MIN_FPS:
        camera = failed(
            "camera",
            f"{name} is recorded at {stated:.0f} fps; gestures need at least {MIN_FPS:.0f}",
            "record at 25 fps or more",
        )
    elif rate < expected:
        camera = failed(
            "camera",
            f"{name} delivers {rate:.1f} frames/s; at least {expected:.0f} needed",
            _camera_fix(is_file),
        )
    else:
        camera = passed("camera", f"{name}: {count} frames at {rate:.1f}/s")
    return [camera, _check_face(images, model)]


def _camera_fix(is_file: bool) -> str:
    if is_file:
        return "this machine decodes video too slowly; check the CPU load (top)"
    return (
        "check the cable and lighting (dim light lowers many cameras' frame rate), that no "
        "other program uses the camera, and that the service user is in the video group"
    )


def _check_face(images: list[np.ndarray], model: Path | None) -> Check:
    if model is None:
        return skipped("face", "no face model to look with (see the models check)")
    from beckon.vision.face import FaceTracker
    from beckon.vision.frames import Frame

    found = 0
    widths: list[float] = []
    with FaceTracker(model) as tracker:
        for i, rgb in enumerate(images):
            obs = tracker.observe(Frame(i, i / 10.0, rgb))
            if obs.found:
                found += 1
                widths.append(obs.face_width_px)
    if not images:
        return skipped("face", "no frames to look at")
    share = found / len(images)
    if share < 0.5:
        return failed(
            "face",
            f"a face was found in {found} of {len(images)} frames",
            "point the camera at the patient's face from the front, 40-100 cm away, "
            "with light on the face (not behind the patient)",
        )
    return passed(
        "face",
        f"face found in {found} of {len(images)} frames, about {np.median(widths):.0f} px wide",
    )


def check_microphone(
    audio: Path | None, seconds: float = 2.0, device: str | int | None = None
) -> Check:
    """Sound arrives and is not silence. ``audio`` (a sound file) stands in for ``device``."""
    from beckon.voice.audio import SAMPLE_RATE, AudioError, Microphone, read_wav

    try:
        if audio is not None:
            samples = read_wav(audio)
            name = f"sound file {audio}"
        else:
            name = "microphone"
            chunks: list[np.ndarray] = []
            with Microphone(device) as mic:
                deadline = time.monotonic() + seconds + 2.0
                for chunk in mic:
                    chunks.append(chunk)
                    got = sum(len(c) for c in chunks)
                    if got >= seconds * SAMPLE_RATE or time.monotonic() > deadline:
                        break
            samples = np.concatenate(chunks) if chunks else np.zeros(0, np.int16)
    except AudioError as exc:
        return failed("microphone", exc.message, exc.hint or _MIC_FIX)
    if samples.size == 0:
        return failed("microphone", f"{name} delivered no sound", _MIC_FIX)
    level = _dbfs(samples)
    seconds_got = samples.size / SAMPLE_RATE
    if level < MIN_SOUND_DBFS:
        return failed(
            "microphone",
            f"{name}: {seconds_got:.1f} s of near silence ({level:.0f} dBFS)",
            "unmute the microphone and raise its capture level (alsamixer), or check it is "
            "plugged in",
        )
    return passed("microphone", f"{name}: {seconds_got:.1f} s of sound at {level:.0f} dBFS")


_MIC_FIX = (
    "check the microphone is plugged in, that `arecord -l` lists it and that the service user "
    "is in the audio group"
)


def _dbfs(samples: np.ndarray) -> float:
    rms = float(np.sqrt(np.mean(np.square(samples.astype(np.float64)))))
    return 20.0 * np.log10(max(rms, 1e-3) / 32768.0)
