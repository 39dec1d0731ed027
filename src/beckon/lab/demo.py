"""``beckon demo``: the whole path on one machine, with no camera and no services installed.

An embedded broker, the station service and the bedside service run in this process. The
bedside watches a clip rendered from a real face photo in which the patient nods while "Water"
is offered; the request travels over MQTT to the station, a (simulated) nurse acknowledges and
then resolves it through the station's command topic, exactly as a station window would, and
every step is printed as a short story.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO, assert_never

from beckon.bedside import events as ev
from beckon.bedside.events import BedsideEvent
from beckon.bedside.vision_worker import VisionWorker
from beckon.intents import Intent, load_intents
from beckon.lab.rig import Rig, one_machine
from beckon.messaging.protocol import NurseAction
from beckon.modelstore import require_model
from beckon.station.events import (
    BedPresence,
    QuestionAnswered,
    QuestionAsked,
    RequestChanged,
    StationEvent,
)

log = logging.getLogger(__name__)

SITE, UNIT, BED = "demo", "ward-1", "7"
NURSE = "Nurse Alex"
DEMO_STATION = {"station.name": "desk"}
DEMO_BEDSIDE = {"bedside.offer_seconds": 6.0, "bedside.offered_intents": ["water", "nurse", "pain"]}


@dataclass(frozen=True)
class _NurseStep:
    """One thing the simulated nurse does at the station, and the state the bedside must then
    hear: each step is told, sent and waited for the same way."""

    pause_s: float
    """Before it, so that a viewer can follow (0.5 s headless)."""
    told: str
    action: NurseAction
    state: str
    what: str
    """What did not reach the bedside when the state does not come."""


NURSE_STEPS = (
    _NurseStep(
        2.0,
        f"{NURSE} sees the request at the station and acknowledges it.",
        "acknowledge",
        "acknowledged",
        "the acknowledgement",
    ),
    _NurseStep(
        3.0,
        f"{NURSE} brings the water and resolves the request.",
        "resolve",
        "resolved",
        "the resolution",
    ),
)


@dataclass
class Story:
    """Prints numbered, timed lines from several threads without interleaving them."""

    out: TextIO
    started: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)
    closing: bool = False
    """The story is told and the demo is shutting its parts down: what they report now is the
    demo ending, not part of the request's story (the bed going offline)."""

    def say(self, who: str, text: str) -> None:
        with self.lock:
            elapsed = time.monotonic() - self.started
            self.out.write(f"[{elapsed:5.1f}s] {who:<9} {text}\n")
            self.out.flush()


class _Progress:
    """Collects what the bedside learns, so the demo can wait for each step."""

    def __init__(self) -> None:
        self.request_id = ""
        self.states: list[str] = []
        self.changed = threading.Condition()

    def note(self, event: BedsideEvent) -> None:
        with self.changed:
            if isinstance(event, ev.RequestSaved):
                self.request_id = event.request_id
            if isinstance(event, ev.StateChanged) and event.request_id == self.request_id:
                self.states.append(event.state)
            self.changed.notify_all()

    def wait_for(self, state: str, timeout: float) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: state in self.states, timeout)


def run_demo(
    out: TextIO, headless: bool, broker_url: str | None = None, timeout: float = 120.0
) -> int:
    """Run the story; returns 0 when the request was acknowledged and resolved."""
    story = Story(out)
    model = require_model("face_landmarker")
    intents = load_intents()
    story.say("demo", "Beckon demo: a patient who cannot press a call button asks for water.")
    with one_machine(broker_url, broker="embedded", site=SITE, unit=UNIT) as rig:
        clip = rig.folder / "patient.mp4"
        story.say(
            "demo", "Rendering a clip from a real face photo: still, then a nod at about 3 s."
        )
        seconds = render_demo_clip(clip, model)
        story.say(
            "demo", f"Clip ready ({seconds:.1f} s of 640x480 video). Frames stay on this machine."
        )
        if broker_url is None:
            story.say("broker", f"Embedded MQTT broker on {rig.url} (loopback only).")
        return _play(story, rig, clip, model, intents, headless, timeout)


def render_demo_clip(path: Path, model: Path) -> float:
    from beckon.lab import synthetic

    poses = synthetic.demo_script()
    face = synthetic.load_demo_face()
    frames = synthetic.render_clip(face, poses, model_path=model)
    synthetic.write_video(path, frames, synthetic.DEFAULT_FPS)
    return len(poses) / synthetic.DEFAULT_FPS


def _play(
    story: Story,
    rig: Rig,
    clip: Path,
    model: Path,
    intents: dict[str, Intent],
    headless: bool,
    timeout: float,
) -> int:
    station = rig.station(DEMO_STATION)
    bedside = rig.bedside(BED, DEMO_BEDSIDE)
    progress = _Progress()
    bedside.listeners.append(progress.note)
    bedside.listeners.append(lambda e: _tell_bedside(story, e, intents))
    station.listeners.append(lambda e: _tell_station(story, e))
    try:
        rig.serve(station)
    except RuntimeError:
        story.say("demo", "FAILED: the station could not reach the broker.")
        return 1
    rig.run(bedside)
    story.say(
        "bedside",
        "Offering 'Water', then 'Call the nurse', then 'Pain', 6 s each. Nod to choose.",
    )
    worker = VisionWorker(model, str(clip), bedside.post, realtime=not headless).start()
    try:
        if not progress.wait_for("received", timeout):
            reason = worker.error or "no nod was recognised in the clip"
            story.say("demo", f"FAILED: no request reached the station ({reason}).")
            return 1
        nurse = rig.nurse(NURSE)
        for step in NURSE_STEPS:
            time.sleep(0.5 if headless else step.pause_s)
            story.say("nurse", step.told)
            nurse.send(step.action, progress.request_id)
            if not progress.wait_for(step.state, 20):
                story.say("demo", f"FAILED: {step.what} did not reach the bedside.")
                return 1
    finally:
        worker.stop()
        story.closing = True  # the rig closes the tablet next, after a failure too
    story.say("demo", "Done: nod -> request -> station -> acknowledged -> resolved. Nothing but")
    story.say("demo", "the intent crossed the network; the video never left this process.")
    return 0


def _tell_bedside(story: Story, e: BedsideEvent, intents: dict[str, Intent]) -> None:
    def label(code: str) -> str:
        return intents[code].label("en") if code in intents else code

    match e:
        case ev.IntentSelected(intent=intent, t=t):
            story.say(
                "patient", f"nods at {t:.1f} s into the video while '{label(intent)}' is offered."
            )
        case ev.OfferDeclined(intent=intent):
            story.say("patient", f"shakes their head: not '{label(intent)}'.")
        case ev.RequestSaved(intent=intent, request_id=rid):
            story.say("bedside", f"Request '{label(intent)}' saved to the outbox (id {rid[:8]}).")
        case ev.RequestSent():
            story.say("bedside", "Request published to the broker (QoS 1).")
        case ev.StateChanged(state=state, by=by):
            text = {
                "received": "The station has the request: 'Your request was received.'",
                "acknowledged": f"Shows the patient: '{by} is coming.'",
                "resolved": "Shows the patient: 'Done.' The request is closed.",
                "cancelled": "The request was cancelled.",
            }.get(state, state)
            story.say("bedside", text)
        case ev.ConnectionChanged(online=False, request_saved=saved):
            story.say(
                "bedside",
                "Connection offline" + (": request saved, will be sent." if saved else "."),
            )
        case _:
            pass  # the rest of the menu's life is not part of this story


def _tell_station(story: Story, e: StationEvent) -> None:
    match e:
        case RequestChanged(change=what, view=v):
            who = f" by {v.by}" if v.by and what in ("acknowledged", "resolved") else ""
            story.say(
                "station", f"Request {what}{who}: bed {v.bed} asks for '{v.intent}' ({v.priority})."
            )
        case BedPresence(bed=bed, online=True):
            story.say("station", f"Bed {bed.bed} is online.")
        case BedPresence(bed=bed) if story.closing:
            story.say(
                "station",
                f"Bed {bed.bed} went offline as the demo closed its tablet "
                "(on a ward, a device fault).",
            )
        case BedPresence(bed=bed):
            story.say("station", f"Bed {bed.bed} went offline: shown as a device fault.")
        case QuestionAsked() | QuestionAnswered():
            pass  # the demo asks no questions
        case _:
            assert_never(e)
