"""``beckon bench``: the benchmarks that print the figures (speed, accuracy, load). They run
the tools of ``beckon.lab``, which only the command line may import."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from beckon import modelstore
from beckon.cli.args import not_negative, positive
from beckon.errors import BeckonError


def add_commands(sub: Any) -> None:
    bench = sub.add_parser("bench", help="measure speed and accuracy (prints the figures)")
    bsub = bench.add_subparsers(dest="what", metavar="WHAT", required=True)
    bv = bsub.add_parser("vision", help="milliseconds per 640x480 frame of the vision path")
    bv.add_argument(
        "--seconds", type=positive(float), default=10.0, help="length of the rendered clip"
    )
    bv.add_argument(
        "--no-hands",
        action="store_true",
        help="without the hand gate (as when the hand landmarker is not installed)",
    )
    bv.add_argument("--json", action="store_true", help="print the figures as JSON")
    bvoice = bsub.add_parser(
        "voice",
        help="intent accuracy, false accepts, latency, speed and memory of the voice path",
        description="Speak the catalog's phrasings, paraphrases and ordinary talk with "
        "espeak-ng (several voices and speeds), mix them with ward-like noise at 20, 10 and "
        "5 dB SNR, and run them through the voice path of each language.",
    )
    bvoice.add_argument(
        "--lang", action="append", metavar="CODE", help="language to measure (default: all)"
    )
    bvoice.add_argument(
        "--engine",
        choices=["auto", "vosk", "pocketsphinx"],
        default="auto",
        help="recogniser (auto: Vosk, or PocketSphinx for English without a Vosk model)",
    )
    bvoice.add_argument("--model", metavar="DIR", help="use this Vosk model folder")
    bvoice.add_argument("--quick", action="store_true", help="fewer voices and phrases")
    bvoice.add_argument("--clean", action="store_true", help="clean speech only, no noise levels")
    bvoice.add_argument(
        "--recordings",
        metavar="DIR",
        help="score the WAV files of DIR listed in DIR/labels.csv instead of synthetic speech "
        "(columns file,language,expected[,group]; see docs/voice.md)",
    )
    bvoice.add_argument("--json", action="store_true", help="print the figures as JSON")
    bvoice.set_defaults(func=cmd_bench_voice)
    bgest = bsub.add_parser(
        "gestures",
        help="per-gesture precision, recall, F1, false events per hour, latency, speed, memory",
        description="Render labelled synthetic footage (real face photos re-rendered at "
        "scripted head poses and expressions) and measure the detectors on it. The widened "
        "recipe draws speed (0.5-3.5 Hz), cycles, amplitude, hold, face size, frame rate, "
        "onset, idle sway and lighting per performance, has a tune part and a score part, and "
        "is scored as an uncalibrated bedside, per condition; the classic recipe calibrates "
        "each patient first. Faces held out of training are reported apart, real videos "
        "(--recordings) separately. Observations are cached, so only the first run renders "
        "(that takes a while on two cores).",
    )
    bgest.add_argument("--cache", type=Path, metavar="DIR", help="observation cache folder")
    bgest.add_argument(
        "--workers", type=positive(int), default=2, help="rendering processes (default 2)"
    )
    bgest.add_argument(
        "--quick", action="store_true", help="a smaller classic recipe (minutes, not hours)"
    )
    bgest.add_argument(
        "--recipe",
        choices=("wide", "classic", "all", "none"),
        default="wide",
        help="wide: the widened recipe's score and tune parts, scored as an uncalibrated "
        "bedside, per condition (default); classic: the first recipe with calibrated patients; "
        "all: both; none: only --recordings",
    )
    bgest.add_argument(
        "--recordings",
        type=Path,
        metavar="DIR",
        help="also score real videos in DIR, labelled in DIR/labels.toml (see docs/gestures.md)",
    )
    bgest.add_argument(
        "--no-model", action="store_true", help="rule-based detection only (no sequence model)"
    )
    bgest.add_argument(
        "--no-small-face",
        action="store_true",
        help="no second look in a crop for frames where the full frame shows no face "
        "(MediaPipe alone, as before the retry; cached apart)",
    )
    bgest.add_argument(
        "--no-hands",
        action="store_true",
        help="score real recordings without the hand gate (as when the hand landmarker is not "
        "installed; synthetic clips have no hands and never use it)",
    )
    bgest.add_argument("--json", action="store_true", help="print the figures as JSON")
    bgest.set_defaults(func=cmd_bench_gestures)
    btalk = bsub.add_parser(
        "talking",
        help="false nods, shakes and held gestures on a probe of real talkers' head and jaw",
        description="Draw talkers from the head and jaw movement measured on real talkers "
        "(band spreads of pitch, yaw and roll; the jaw's openings, their rhythm and height), "
        "each after a silent rest, and run them through the rules at 15 and 30 fps, with a "
        "large and a small face, as an uncalibrated bedside. Every event is false. The "
        "talkers are split by person into a tune and a score part (see docs/gestures.md).",
    )
    btalk.add_argument(
        "--part",
        choices=("tune", "score"),
        default="tune",
        help="tune: talkers a rule may be tuned on (per-talker lines); score: the others, "
        "read in aggregate only (default tune)",
    )
    btalk.add_argument(
        "--seeds", type=positive(int), default=3, help="draws per talker, face, fps (default 3)"
    )
    btalk.add_argument("--json", action="store_true", help="print every run's events as JSON")
    btalk.set_defaults(func=cmd_bench_talking)
    bui = bsub.add_parser(
        "ui",
        help="milliseconds from a gesture to the highlight, and from a request to the station",
        description="Offscreen windows over a real broker (a private Mosquitto when installed, "
        "else the embedded one): time from a posted gesture to the highlighted tile repainted, "
        "and from a request published at the bedside to its row painted in the station window.",
    )
    bui.add_argument(
        "-n", "--repeat", type=positive(int), default=50, help="repetitions (default 50)"
    )
    bui.add_argument("--broker", metavar="URL", help="use this broker instead of a private one")
    bui.add_argument("--json", action="store_true", help="print the figures as JSON")
    bui.set_defaults(func=cmd_bench_ui)
    bload = bsub.add_parser(
        "load",
        help="request -> stored/receipt latency, loss, station CPU and memory under load",
        description="Simulated beds (one MQTT client and one durable outbox each) against a "
        "private Mosquitto and a `beckon station` process on loopback: a steady rate, then a "
        "burst of one request per bed. Bounded in time; mind other work on the machine.",
    )
    bload.add_argument(
        "--beds", type=positive(int), default=500, help="simulated beds (default 500)"
    )
    bload.add_argument(
        "--rate", type=positive(float), default=15.0, help="steady requests/s (default 15)"
    )
    bload.add_argument("--seconds", type=positive(float), default=60.0, help="steady phase length")
    bload.add_argument("--burst", type=not_negative, default=500, help="requests in the burst")
    bload.add_argument(
        "--autosave",
        type=int,
        default=10,
        metavar="N",
        help="Mosquitto autosave_interval (changes between database saves; 10 as shipped)",
    )
    bload.add_argument(
        "--store",
        metavar="URL",
        help="run the station on this PostgreSQL store (postgresql://...; default: SQLite)",
    )
    bload.add_argument(
        "--postgres",
        action="store_true",
        help="run the station on a throwaway PostgreSQL server started for the run",
    )
    bload.add_argument("--json", action="store_true", help="print the figures as JSON")
    bload.set_defaults(func=cmd_bench_load)
    bench.set_defaults(func=cmd_bench_vision)


def cmd_bench_vision(args: argparse.Namespace) -> int:
    from beckon.lab.vision_bench import bench_vision

    model = modelstore.require_model("face_landmarker")
    hand_model = None
    if not args.no_hands:
        from beckon.vision.hands import installed_model

        hand_model = installed_model()
    print(f"Rendering a {args.seconds:.0f} s clip and timing the vision path...", file=sys.stderr)
    result = bench_vision(model, seconds=args.seconds, hand_model=hand_model)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key:<28} {value:.2f}" if isinstance(value, float) else f"{key:<28} {value}")
    return 0


def cmd_bench_gestures(args: argparse.Namespace) -> int:
    from beckon.lab.gesture_bench import bench_gestures, format_report
    from beckon.vision.sequence import packaged_model

    model = modelstore.require_model("face_landmarker")
    sequence = None if args.no_model else packaged_model()
    hand_model = None
    if not args.no_hands:
        from beckon.vision.hands import installed_model

        hand_model = installed_model()

    def progress(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    result = bench_gestures(
        model,
        cache=args.cache,
        workers=args.workers,
        sequence_model=sequence,
        quick=args.quick,
        recipe=args.recipe,
        recordings=args.recordings,
        progress=progress,
        small_face=not args.no_small_face,
        hand_model=hand_model,
    )
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(format_report(result))
    return 0


def cmd_bench_talking(args: argparse.Namespace) -> int:
    import logging
    from dataclasses import asdict

    from beckon.lab.talkprobe import ProbeParams, probe, summary

    # The summary is the output. The score part is read in aggregate only, so the engine's
    # line for each event it drops or reports stays out of a plain run (-v shows it).
    if not args.verbose:
        logging.getLogger().setLevel(logging.WARNING)
    params = ProbeParams(seeds=args.seeds)
    result = probe(args.part, params)
    if args.json:
        print(
            json.dumps(
                {
                    "part": result.part,
                    "minutes": result.minutes,
                    "runs": [asdict(r) for r in result.runs],
                },
                indent=1,
            )
        )
    else:
        print("\n".join(summary(result, params)))
    return 0


def cmd_bench_voice(args: argparse.Namespace) -> int:
    from beckon.lab.voice_bench import bench_voice, format_report
    from beckon.voice.catalog import load_catalog

    if args.recordings:
        from beckon.lab.voice_recordings import bench_recordings, format_recordings

        model = Path(args.model) if args.model else None
        found = bench_recordings(Path(args.recordings), args.lang, args.engine, model)
        print(
            json.dumps(found, indent=2, ensure_ascii=False)
            if args.json
            else format_recordings(found)
        )
        return 0
    languages = args.lang or list(load_catalog().languages)
    print(f"Speaking, mixing and recognising ({', '.join(languages)})...", file=sys.stderr)
    results = bench_voice(
        languages, args.engine, quick=args.quick, model_dir=args.model, clean_only=args.clean
    )
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
    else:
        print(format_report(results))
    return 0


def cmd_bench_load(args: argparse.Namespace) -> int:
    from beckon.lab.load_bench import bench_load, format_report

    if args.store and args.postgres:
        raise BeckonError("--store and --postgres both choose the store", "give one of them")
    from beckon.config import is_postgres_url

    if args.store and not is_postgres_url(args.store):
        raise BeckonError(
            f"--store {args.store!r} is not a PostgreSQL URL",
            "give postgresql://USER@HOST:PORT/DATABASE (leave it out for SQLite)",
        )
    result = bench_load(
        args.beds,
        args.rate,
        args.seconds,
        args.burst,
        args.autosave,
        store=args.store or "",
        postgres=args.postgres,
    )
    print(json.dumps(result, indent=2) if args.json else format_report(result))
    return 0


def cmd_bench_ui(args: argparse.Namespace) -> int:
    from beckon.lab.ui_bench import bench_ui, format_report

    print(f"Timing the windows over {args.repeat} repetitions...", file=sys.stderr)
    result = bench_ui(args.repeat, broker_url=args.broker)
    print(json.dumps(result, indent=2) if args.json else format_report(result))
    return 0
