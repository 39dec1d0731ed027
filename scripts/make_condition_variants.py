"""Make a labelled recordings folder again under one of issue #9's conditions.

A development tool, not the product. `beckon bench gestures --recordings DIR` scores real
videos as they were recorded; a hospital's consented recordings (or the public sets of
docs/gestures.md) were made at one frame rate, one distance and one light. This writes a copy of
such a folder as a tablet would have seen it otherwise, with the same labels, so the detectors
can be measured per condition on real faces:

  copy    decoded and written again, nothing else changed: the control (the codec alone
          moves borderline gestures, so compare every condition with this, not the original)
  fps15   the frame nearest each 1/15 s kept, written at 15 fps (clips already at or under
          15 fps are copied as they are)
  fps10   likewise at 10 fps
  small   scaled so the face is --face-px wide (75 by default: a tablet on a bed arm about a
          metre away), in a grey 640x480 frame with the face at the centre; a clip in which
          MediaPipe finds no face is left out (said on the output)
  dark    darker and flatter: each pixel v becomes 0.45 v + 8 (a dim room)

    python scripts/make_condition_variants.py --condition fps10 SRC_DIR OUT_DIR
    beckon bench gestures --recipe none --recordings OUT_DIR

Each clip is written as MJPEG `.avi` (quality 95), one frame at a time (any length fits in
memory). OUT_DIR/labels.toml repeats SRC_DIR's entries with the new file names and the
condition added to each clip's `conditions` (`condition = "fps10"`), so the bench reports it.
Used first in session 16 (docs/journal/gestures.md, gest8).
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from pathlib import Path
from typing import Any

CONDITIONS = ("copy", "fps15", "fps10", "small", "dark")
CANVAS = (640, 480)
GREY = 90


def face_geometry(path: Path, model: Path) -> tuple[float, float, float] | None:
    """Median face width and centre (source pixels) over five frames spread over the clip."""
    import cv2
    import numpy as np

    sys.path.insert(0, str(Path(__file__).parent))
    from make_sign_recordings import face_box

    cap = cv2.VideoCapture(str(path))
    count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    boxes = []
    for at in np.linspace(0, max(count - 1, 0), 7)[1:-1].astype(int):
        cap.set(cv2.CAP_PROP_POS_FRAMES, int(at))
        ok, bgr = cap.read()
        if ok:
            box = face_box(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), model)
            if box is not None:
                boxes.append(box)
    cap.release()
    if not boxes:
        return None
    b = np.array(boxes)
    return (
        float(np.median(b[:, 2] - b[:, 0])),
        float(np.median((b[:, 0] + b[:, 2]) / 2)),
        float(np.median((b[:, 1] + b[:, 3]) / 2)),
    )


def _small(bgr: Any, scale: float, cx: float, cy: float) -> Any:
    """The frame scaled by ``scale`` and pasted so (cx, cy) lands at the canvas's centre: a
    fixed window, so every head movement stays as recorded."""
    import cv2
    import numpy as np

    h, w = bgr.shape[:2]
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    scaled = cv2.resize(bgr, size, interpolation=cv2.INTER_AREA)
    canvas = np.full((CANVAS[1], CANVAS[0], 3), GREY, np.uint8)
    ox, oy = round(CANVAS[0] / 2 - cx * scale), round(CANVAS[1] / 2 - cy * scale)
    x0, y0 = max(0, ox), max(0, oy)
    x1, y1 = min(CANVAS[0], ox + size[0]), min(CANVAS[1], oy + size[1])
    if x1 > x0 and y1 > y0:
        canvas[y0:y1, x0:x1] = scaled[y0 - oy : y1 - oy, x0 - ox : x1 - ox]
    return canvas


def write_variant(
    src: Path, dst: Path, condition: str, face_px: float, model: Path | None
) -> str | None:
    """Write ``dst`` from ``src`` under ``condition``; a note for the output, or None when the
    clip cannot be made (no face for ``small``)."""
    import cv2

    cap = cv2.VideoCapture(str(src))
    if not cap.isOpened():
        raise SystemExit(f"{src}: OpenCV cannot read this video; convert it or leave it out")
    fps = float(cap.get(cv2.CAP_PROP_FPS)) or 30.0
    size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    target = {"fps15": 15.0, "fps10": 10.0}.get(condition)
    out_fps = target if target is not None and fps > target * 1.05 else fps
    note = f"{fps:.2f} fps kept as is" if target is not None and out_fps == fps else ""
    scale = cx = cy = 0.0
    if condition == "small":
        if model is None:
            raise SystemExit("small needs the face landmarker model (--model)")
        geometry = face_geometry(src, model)
        if geometry is None:
            cap.release()
            return None
        width, cx, cy = geometry
        scale = face_px / width
        size = CANVAS
        note = f"face {width:.0f} px -> {face_px:.0f} px"
    writer = cv2.VideoWriter(str(dst), cv2.VideoWriter.fourcc(*"MJPG"), out_fps, size)
    writer.set(cv2.VIDEOWRITER_PROP_QUALITY, 95)
    index = kept = 0
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        # Output frame k shows the source frame nearest k / out_fps, so t = k / out_fps holds.
        if out_fps == fps or index == round(kept * fps / out_fps):
            if condition == "small":
                bgr = _small(bgr, scale, cx, cy)
            elif condition == "dark":
                bgr = cv2.convertScaleAbs(bgr, alpha=0.45, beta=8)
            writer.write(bgr)
            kept += 1
        index += 1
    writer.release()
    cap.release()
    return f"{note} {kept} frames at {out_fps:g} fps".strip()


def _toml_value(value: Any) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)  # a TOML basic string


def labels_entry(entry: dict[str, Any], file: str, condition: str) -> str:
    """One ``[[clip]]`` of the new labels file: the source entry with its new file name and
    the condition among its conditions."""
    clip = dict(entry)
    clip["file"] = file
    clip["conditions"] = {**entry.get("conditions", {}), "condition": condition}
    lines = ["[[clip]]"] + [f"{key} = {_toml_value(value)}" for key, value in clip.items()]
    return "\n".join(lines) + "\n"


def make_variants(
    src: Path, out: Path, condition: str, face_px: float = 75.0, model: Path | None = None
) -> int:
    """Write every clip of ``src``'s labels file under ``condition`` into ``out``; the number
    of clips written."""
    labels = tomllib.loads((src / "labels.toml").read_text(encoding="utf-8"))
    out.mkdir(parents=True, exist_ok=True)
    entries = []
    for entry in labels.get("clip", []):
        name = Path(entry["file"]).with_suffix(".avi").name
        note = write_variant(src / entry["file"], out / name, condition, face_px, model)
        if note is None:
            print(f"{entry['file']}: no face found, left out")
            continue
        print(f"{entry['file']} -> {name}: {note}", flush=True)
        entries.append(labels_entry(entry, name, condition))
    header = f"# {src} under condition {condition} (scripts/make_condition_variants.py)\n\n"
    (out / "labels.toml").write_text(header + "\n".join(entries), encoding="utf-8")
    return len(entries)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write a labelled recordings folder again at another frame rate, face "
        "size or light, with the same labels (for beckon bench gestures --recordings).",
    )
    parser.add_argument("src", type=Path, help="a folder with labels.toml and its videos")
    parser.add_argument("out", type=Path, help="where to write the variant folder")
    parser.add_argument("--condition", choices=CONDITIONS, required=True)
    parser.add_argument(
        "--face-px", type=float, default=75.0, help="face width for small (default 75)"
    )
    parser.add_argument(
        "--model", type=Path, help="face_landmarker.task for small (default: the installed one)"
    )
    args = parser.parse_args(argv)
    if not (args.src / "labels.toml").is_file():
        parser.error(f"{args.src} has no labels.toml (docs/gestures.md, 'Scoring real recordings')")
    model = args.model
    if args.condition == "small" and model is None:
        from beckon import modelstore

        model = modelstore.require_model("face_landmarker")
    written = make_variants(args.src, args.out, args.condition, args.face_px, model)
    print(f"{written} clips written to {args.out}")
    return 0 if written else 1


if __name__ == "__main__":
    raise SystemExit(main())
