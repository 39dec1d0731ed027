"""Rebuild the real signing clips scored by ``beckon bench gestures --recordings`` (not in git).

The clips are the sign-language videos of github:AlpYksl/SignLanguageAndLipReadingApp (folder
``alpyksl``) and github:toLSC/tolsc-videos (folder ``tolsc``); no licence is stated for either:
used for development measurements only, never redistributed. Most are studio
shots of a whole signer at 1280x720 or 1920x1080, where the face, scaled to the bedside
camera's 640 px width, is 20 to 60 px wide: too small for the detectors to run at all, so the
clips would add minutes in which nothing can fire. Each clip is therefore cropped once, to a
fixed 4:3 window around where the face is in its middle frame, so that the face is about a
fifth of the picture's width (a tablet on a bed arm). The window never moves, so every head
movement stays in the picture as it was recorded.

    git clone https://github.com/AlpYksl/SignLanguageAndLipReadingApp /tmp/alp
    python scripts/make_sign_recordings.py /tmp/alp /work/data/gestures/alpyksl
    git clone https://github.com/toLSC/tolsc-videos /tmp/tolsc
    python scripts/make_sign_recordings.py /tmp/tolsc /work/data/gestures/tolsc

(a bare repository or snapshot works too: the files are read with ``git show``). The labels
are copied from ``docs/gestures-labels/<folder name>.toml``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import unicodedata
from pathlib import Path

LABELS = Path(__file__).resolve().parents[1] / "docs" / "gestures-labels"
FACE_SHARE = 0.2
"""The face's width as a share of the cropped picture's width."""


def clip_name(path: str) -> str:
    """``videos/Arabic(cake).mp4`` -> ``arabic_cake.mp4``; ``ValidationVideos/YES.mp4`` ->
    ``val_yes.mp4``; ``videos/como estás.mp4`` -> ``como_estas.mp4`` (ASCII, lower case, no
    spaces, one folder)."""
    folder, _, name = path.rpartition("/")
    name = name.replace("Arabic(", "arabic_").replace(")", "")
    ascii_name = unicodedata.normalize("NFKD", name.replace("ı", "i")).encode("ascii", "ignore")
    stem = ascii_name.decode().lower().replace(" ", "_")
    return ("val_" if folder == "ValidationVideos" else "") + stem


def face_box(frame_rgb, model: Path):  # type: ignore[no-untyped-def]
    """(x0, y0, x1, y1) in pixels of the face MediaPipe finds in one frame, or None."""
    import mediapipe as mp
    import numpy as np
    from mediapipe.tasks.python import BaseOptions
    from mediapipe.tasks.python import vision as mp_vision

    options = mp_vision.FaceLandmarkerOptions(base_options=BaseOptions(model_asset_path=str(model)))
    with mp_vision.FaceLandmarker.create_from_options(options) as landmarker:
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(frame_rgb))
        result = landmarker.detect(image)
    if not result.face_landmarks:
        return None
    h, w = frame_rgb.shape[:2]
    xs = [lm.x * w for lm in result.face_landmarks[0]]
    ys = [lm.y * h for lm in result.face_landmarks[0]]
    return min(xs), min(ys), max(xs), max(ys)


def crop_clip(src: Path, dst: Path, model: Path) -> str:
    """Write ``dst``: ``src`` cropped to a fixed 4:3 window around the face (see the module)."""
    import cv2

    cap = cv2.VideoCapture(str(src))
    fps = cap.get(cv2.CAP_PROP_FPS)
    n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    box = None
    for at in (n // 2, n // 3, 2 * n // 3, 0):
        cap.set(cv2.CAP_PROP_POS_FRAMES, at)
        ok, frame = cap.read()
        if not ok:
            continue
        rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
        box = face_box(rgb, model)
        if box is None:
            # A whole signer far away: MediaPipe's face detector misses faces under about a
            # tenth of the picture, so look again in the middle third of the upper two thirds.
            h, w = rgb.shape[:2]
            x_off = w // 3
            found = face_box(rgb[: 2 * h // 3, x_off : 2 * w // 3], model)
            if found is not None:
                box = (found[0] + x_off, found[1], found[2] + x_off, found[3])
        if box is not None:
            break
    cap.release()
    if box is None:
        shutil.copyfile(src, dst)
        return "no face found: copied as it is"
    x0, y0, x1, y1 = box
    cap = cv2.VideoCapture(str(src))
    fw, fh = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
    cw = min(fw, int((x1 - x0) / FACE_SHARE))
    ch = min(fh, cw * 3 // 4)
    cw = min(cw, ch * 4 // 3)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2 + 0.1 * ch  # room below the chin for a nod
    left = int(min(max(0, cx - cw / 2), fw - cw))
    top = int(min(max(0, cy - ch / 2), fh - ch))
    writer = cv2.VideoWriter(str(dst), cv2.VideoWriter.fourcc(*"mp4v"), fps, (cw, ch))
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        writer.write(frame[top : top + ch, left : left + cw])
    writer.release()
    cap.release()
    return f"{fw}x{fh} -> {cw}x{ch} at ({left},{top}), face {x1 - x0:.0f} px"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path, help="clone or bare snapshot of the source repository")
    parser.add_argument("out", type=Path, help="folder to write (videos and labels.toml)")
    args = parser.parse_args()

    from beckon import modelstore

    model = modelstore.require_model("face_landmarker")
    args.out.mkdir(parents=True, exist_ok=True)
    git = ["git", f"--git-dir={args.repo / '.git' if (args.repo / '.git').exists() else args.repo}"]
    listing = subprocess.run(
        [*git, "ls-tree", "-r", "--name-only", "-z", "HEAD"], check=True, capture_output=True
    ).stdout.decode()
    raw = args.out / "raw"
    raw.mkdir(exist_ok=True)
    for path in sorted(p for p in listing.split("\0") if p.lower().endswith(".mp4")):
        src = raw / clip_name(path)
        src.write_bytes(
            subprocess.run([*git, "show", f"HEAD:{path}"], check=True, capture_output=True).stdout
        )
        print(f"{path} -> {src.name}: {crop_clip(src, args.out / src.name, model)}")
    shutil.rmtree(raw)
    shutil.copyfile(LABELS / f"{args.out.name}.toml", args.out / "labels.toml")


if __name__ == "__main__":
    main()
