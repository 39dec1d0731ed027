"""``beckon replay``, ``calibrate``, ``transcribe``, ``models`` and ``config``: the vision
and voice paths on files, third-party models, and a configuration's check."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from beckon import modelstore, paths


def add_commands(sub: Any) -> None:
    replay = sub.add_parser(
        "replay",
        help="run the vision path on a video file and print the gestures",
        description="Print one line per gesture found in VIDEO. With --json each line is "
        '{"type": "gesture", "gesture": NAME, "t": SECONDS, "confidence": 0..1}, t counted '
        "from the start of the video.",
    )
    replay.add_argument("video", metavar="VIDEO", type=Path)
    replay.add_argument("--json", action="store_true", help="JSON lines (a stable contract)")
    replay.add_argument(
        "--profile", type=Path, metavar="FILE", help="patient profile (from `beckon calibrate`)"
    )
    replay.add_argument(
        "--no-model", action="store_true", help="rule-based detection only (no sequence model)"
    )
    replay.set_defaults(func=cmd_replay)

    calibrate_p = sub.add_parser(
        "calibrate",
        help="calibrate a patient's gestures from a calibration video into a profile",
        description="Measure the patient's neutral pose, resting face and how far they move for "
        "each gesture, and write per-patient thresholds to a profile. VIDEO follows the "
        "standard calibration timeline (3 s rest, then each gesture twice in 3.2 s slots, in "
        "the order nod, shake, tilt_left, tilt_right, turn_left, turn_right, look_up, "
        "look_down, long_blink, mouth_open, brow_raise) unless --takes gives another.",
    )
    calibrate_p.add_argument("video", metavar="VIDEO", type=Path)
    calibrate_p.add_argument("--out", type=Path, required=True, metavar="FILE", help="profile")
    calibrate_p.add_argument(
        "--takes",
        type=Path,
        metavar="JSON",
        help='[{"gesture": "nod", "start": 3.0, "end": 6.2}, ...] instead of the standard plan',
    )
    calibrate_p.add_argument(
        "--base", type=Path, metavar="FILE", help="start from this profile (actions, menu)"
    )
    calibrate_p.add_argument("--name", default="", help="patient label stored in the profile")
    calibrate_p.set_defaults(func=cmd_calibrate)

    models = sub.add_parser(
        "models",
        help="list, fetch, install or verify third-party models",
        description="Models are listed in models/manifest.toml with URL, SHA-256, size and "
        f"licence, and live in {paths.models_dir()} (set BECKON_MODELS_DIR to move them).",
    )
    msub = models.add_subparsers(dest="action", metavar="ACTION", required=True)
    msub.add_parser("list", help="show each model and whether it is installed and intact")
    fetch = msub.add_parser("fetch", help="download from the published address and verify")
    fetch.add_argument("names", nargs="*", help="models to fetch (default: all)")
    fetch.add_argument(
        "--wheels",
        type=Path,
        metavar="DIR",
        help="keep the wheels that bundles are built from (hand_landmarker) in DIR, and reuse "
        "them from there: a folder to copy to an air-gapped site for `install --from`",
    )
    inst = msub.add_parser("install", help="install from a local folder (air-gapped sites, CI)")
    inst.add_argument(
        "--from",
        dest="folder",
        required=True,
        type=Path,
        metavar="DIR",
        help="folder holding the model files named as in the manifest",
    )
    inst.add_argument("names", nargs="*", help="models to install (default: all found)")
    msub.add_parser("verify", help="check every installed model's SHA-256; exit 1 if any is bad")
    models.set_defaults(func=cmd_models)

    transcribe = sub.add_parser(
        "transcribe",
        help="run the voice path on sound files and print the intents",
        description="Print one line per FILE. With --json each line is "
        '{"file": ..., "text": ..., "intent": CODE or null, "score": 0..1, "lang": CODE} '
        "(a stable contract). Audio never leaves the machine.",
    )
    transcribe.add_argument("files", nargs="+", type=Path, metavar="FILE")
    transcribe.add_argument("--lang", default="en", metavar="CODE", help="language (default en)")
    transcribe.add_argument(
        "--engine",
        choices=["auto", "vosk", "pocketsphinx"],
        default="auto",
        help="recogniser (auto: Vosk, or PocketSphinx for English without a Vosk model)",
    )
    transcribe.add_argument("--model", type=Path, metavar="DIR", help="use this Vosk model folder")
    transcribe.add_argument("--json", action="store_true", help="JSON lines (a stable contract)")
    transcribe.set_defaults(func=cmd_transcribe)

    config = sub.add_parser("config", help="check a configuration file")
    csub = config.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = csub.add_parser("check", help="validate a bedside or station file and print it")
    check.add_argument("role", choices=["bedside", "station"])
    check.add_argument("file", type=Path)
    config.set_defaults(func=cmd_config)


def cmd_replay(args: argparse.Namespace) -> int:
    model = modelstore.require_model("face_landmarker")
    from beckon.profile import load_profile
    from beckon.vision.hands import installed_model as installed_hand_model
    from beckon.vision.replay import replay

    profile = load_profile(args.profile) if args.profile else None
    use_model = not args.no_model
    if args.json:
        replay(args.video, model, sys.stdout, profile, use_model, installed_hand_model())
        return 0
    import io

    buffer = io.StringIO()
    count = replay(args.video, model, buffer, profile, use_model, installed_hand_model())
    for line in buffer.getvalue().splitlines():
        event = json.loads(line)
        print(f"{event['t']:7.2f} s  {event['gesture']:<12} confidence {event['confidence']:.2f}")
    print(f"{count} gesture(s) in {args.video}")
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    from beckon.vision.calibration import calibrate_video

    model = modelstore.require_model("face_landmarker")
    result = calibrate_video(args.video, model, args.out, args.takes, args.base, args.name)
    print(json.dumps(result.summary(), indent=2))
    print(f"profile written to {args.out}", file=sys.stderr)
    return 0


def cmd_transcribe(args: argparse.Namespace) -> int:
    from beckon.voice.recognizer import build_pipeline
    from beckon.voice.transcribe import transcribe, transcribe_file

    # A fallback engine (``engine.note``) is announced by the engine's own warning.
    pipeline = build_pipeline(args.lang, model_dir=args.model, engine=args.engine)
    if args.json:
        transcribe(pipeline, args.files, sys.stdout)
        return 0
    for path in args.files:
        row = transcribe_file(pipeline, path)
        print(f'{row["file"]}: {row["intent"] or "-"} ({row["score"]:.2f}) "{row["text"]}"')
    return 0


def cmd_models(args: argparse.Namespace) -> int:
    if args.action == "list" or args.action == "verify":
        bad = 0
        for spec in modelstore.load_manifest().values():
            st = modelstore.status(spec)
            bad += st.problem
            state = st.state if spec.required or st.state != "missing" else "optional"
            # A model that comes in a Python package has no size in the manifest: say what
            # is on disk ("0.0 MB" for the 264 MB Korean model looked like an empty install).
            size = spec.size or (modelstore.size_on_disk(st.path) if st.state == "ok" else 0)
            shown = f"{size / 1e6:6.1f} MB" if size else "     - MB"
            print(f"{spec.name:<18} {state:<8} {shown}  {spec.license:<12} {st.path}")
        if bad:
            print("fix with `beckon models fetch` or `beckon models install --from DIR`")
        return 1 if (bad and args.action == "verify") else 0
    if args.action == "install":
        results = modelstore.install_from(args.folder, args.names or None)
    else:
        results = modelstore.fetch(
            args.names or None, progress=_download_progress, wheels=args.wheels
        )
    for st in results:
        print(f"{st.spec.name:<18} {st.state:<8} {st.path}")
    return 1 if any(st.problem for st in results) else 0


def _download_progress(spec: Any, done: int, total: int) -> None:
    pct = 100 * done / total if total else 0
    sys.stderr.write(f"\r{spec.name}: {done / 1e6:.1f} of {total / 1e6:.1f} MB ({pct:.0f}%)")
    if done >= total:
        sys.stderr.write("\n")


def cmd_config(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from beckon.config import load_bedside, load_station
    from beckon.config_check import check_bedside, check_station
    from beckon.intents import load_intents

    loaded: Any = (load_bedside if args.role == "bedside" else load_station)(args.file)
    data = asdict(loaded)
    if data.get("broker", {}).get("password"):
        data["broker"]["password"] = "***"
    print(json.dumps(data, indent=2, default=str))
    if args.role == "bedside":
        findings = check_bedside(loaded, load_intents())
    else:
        findings = check_station(loaded)
    for finding in findings:
        print(f"{args.file}: {finding}", file=sys.stderr)
    if any(f.level == "error" for f in findings):
        print(
            f"{args.file}: this {args.role} configuration would fail; fix the errors above",
            file=sys.stderr,
        )
        return 2
    print(f"{args.file}: valid {args.role} configuration", file=sys.stderr)
    return 0
