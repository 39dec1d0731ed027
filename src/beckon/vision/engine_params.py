"""The gesture engine's gating and arbitration parameters (:class:`EngineParams`).

Code, not settings: each value is documented with the footage that set it. Per-gesture
thresholds are the patient's profile (:mod:`beckon.profile`); the detectors' own parameters
live with them (``GestureParams``, ``HoldParams``, ``OcclusionParams``, ``HandGateParams``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from beckon.vision.crossing import CrossingParams
from beckon.vision.handgate import HandGateParams
from beckon.vision.occlusion import OcclusionParams


@dataclass(frozen=True, slots=True)
class EngineParams:
    """Gating and arbitration; per-gesture thresholds live in the profile."""

    min_quality: float = 0.35
    held_min_quality: float = 0.2
    """A held turn, tilt or look already under way goes on through frames down to this
    quality (``min_quality`` still gates its start): the view's quality falls with the
    head's absolute yaw and with the face's width, which foreshortens as the head turns, so a
    patient resting turned 17 degrees from the camera with a 78 px face who turned 15 degrees
    further away held the turn at quality 0.32 to 0.33, read steadily by MediaPipe (yaw within
    0.4 degrees), and the turn was lost as "face lost or poor" (the studied face ``obama``).
    The gesture itself must not take away the view it is judged on. Since session 37 the floor
    is on the view apart from the head's frontality (``engine._held_view_ok``): a small face
    turned further away from a rest already turned was judged poor twice, for its
    foreshortened width and for its yaw. So 0.2 is now the face's size times its framing: a
    whole face about 59 px wide at any yaw under ``QualityParams.away_deg`` (50 degrees)."""
    held_low_start_s: float = 0.5
    """A held gesture may also begin on such a frame this soon after the last frame of good
    quality: at 10 fps a brisk turn away crosses its bar and the quality floor between two
    frames, and it must not have to begin at a view only its own ramp spoiled."""
    max_abs_deg: float = 35.0
    """Head further than this from neutral on any axis: the patient is looking away."""
    expression_max_pose_deg: float = 10.0
    """Expressions count only with the head within this of neutral on every axis."""
    event_gap_s: float = 1.0
    """Two events closer than this (either way in time) are one movement: the later reported
    is dropped. Either way, because an event may be reported after a later one: a held look
    or turn waits while a nod or shake of its axis is under way (``defer_s``), and a turn
    right that waited so was dropped as "too close" to the turn left reported 1.2 s after
    it (pkgface ``clm_cap12``), its time compared as if it came later."""
    held_bridge_s: float = 0.3
    """A gap this short in the usable frames is a missed reading for the held head gestures,
    at rest, out or settling (``HoldParams.bridge_s``). pkgface ``clm_cap13``'s turn left at
    20.1 s: the occlusion gate closed for 0.2 s as the head swung from rest to 14 degrees in
    0.3 s, and the turn, held 0.7 s, was lost waiting for rest. 0.3 and 0.6 found the same on
    the real tune sets; the shorter keeps the rule close to what was seen. Since session 48
    also mid-hold and in the return (issue #9: one frame missed there lost the gesture)."""
    held_settle_gap_s: float = 0.1
    """A held gesture whose excursion began at least this long after the last event was
    reported is a gesture of its own even within ``event_gap_s`` of it (``HoldParams.
    settle_gap_s`` of every held detector): that event had settled (held gestures are
    reported ``settle_s`` after the head came back), and a patient turning right and then
    left at once makes two gestures."""
    held_rested_s: float = 0.4
    """A held head gesture that began after the head rested this long within the release
    bar (half the gesture's bar) is a movement of its own, with no cooldown against the
    previous event of its kind (``HoldParams.rested_s``): a patient turning right three times
    to move three steps, or asked to look up twice, rests 0.3 s or more between (a 0.4 s
    tilt repeated with 0.3 to 0.5 s at rest lost a third to two thirds of the repeats to the
    1.5 s cooldown; gest42b's rep.py), while a sway's held swings turn around at rest in
    0.26 to 0.3 s (review rev41a)."""
    held_lead_share: float = 0.8
    """A held head gesture is dropped when another head axis moved at least this share as
    far (each against its own threshold, from 0.2 s before the excursion began): its own
    axis must lead clearly. A signer's head turned 14.7 degrees while it went 14.0 down
    (fslsign ``urinate``, 0.95) made a false turn; so did looks down with a turn or tilt
    nearly as large (fslsign ``crocodile`` 0.92, ``water_bottle`` 0.86, ``snack`` 0.81,
    ``backpack`` 0.83; the hand gate also drops those). Every labelled held gesture of the
    tune sets is under 0.74 (pkgface ``clm_cap12``'s turn left at 40.3 s 0.73, talkhead
    ``lp_d3``'s turns 0.63), the widened recipe's tune part under 0.31, off-axis rests
    included. It was 1.0 (the other axis moved further) until session 31."""
    after_oscillation_s: float = 1.5
    """A held look (turn) whose excursion began before, or within this long after, a nod
    (shake) was reported is that nod going on: a nod is reported once it has enough swings,
    and people often add one more, whose bottom then looks like a brief look down."""
    expression_head_range_deg: Mapping[str, float] = field(
        default_factory=lambda: {"brow_raise": 3.0, "long_blink": 4.0, "mouth_open": 6.0}
    )
    """Largest range each head angle may cover during an expression (see the engine)."""
    brow_pitch_echo_deg: float = 6.0
    """Degrees of chin-up pitch per unit of brow rise that the brow raise's head-range check
    (``expression_head_range_deg``) takes out: raising the brows bends the forehead, which
    MediaPipe reads as the head tipping back, 1 to 4 degrees for a still head (6 to 15
    degrees per unit of rise on the six rendered faces' brow clips: ``astronaut`` 8, ``hopper``
    10, ``obama`` 14 to 15; off-axis 4 to 8.5). The training face's strongest raises (0.5
    above rest) tipped the pitch 3.1 to 3.3 degrees within the excursion, over the 3 degree
    range, and were dropped as head movements. The low end of the measured slopes is taken
    out, so what is left is at most about 1.5 degrees of the raise's own echo."""
    look_turned_from_deg: float = 10.0
    """Looks up (held pitch) from a neutral turned further than this from the camera
    (absolute yaw) count against a lower bar, down to ``look_turned_share`` of the profile's
    at ``look_turned_full_deg`` and beyond (linear in between; see :func:`look_bar_share`).
    Measured on the rendered clips against their scripted size (session 8, third round):
    MediaPipe read the looks up of the studied faces whose photo is itself turned at 0.73 to
    0.85 of their size (``obama``, resting at yaw +17) and 0.59 to 0.65 (``obama_mirror``,
    yaw -24, chin up 11), so ``obama_mirror``'s smallest (10 to 12 degrees) peaked at 6.4 to
    7.7 against the 8 degree bar and were lost; frontal faces read their looks up at 0.94 to
    1.06. Off-axis renders of frontal photos (rotated 15 to 24 degrees in the head's frame)
    read 0.94 to 1.20, so the shortfall is not certain on every turned face; the share
    (0.75) keeps the bar at 6 degrees or more, over the resting jitter and sway."""
    look_turned_full_deg: float = 25.0
    look_turned_share: float = 0.75
    look_turned_gestures: tuple[str, ...] = ("look_up",)
    """The looks ``look_turned_share`` applies to. Looks down read short on frontal faces too
    (``astronaut`` 0.70 to 0.84), so their shortfall is not the turned view's; and the lower
    bar let a glance down on ``obama``'s negatives (a 0.4 s plateau at 7.9 degrees) become a
    false look down."""
    look_weak_share: float = 0.85
    look_weak_hold_s: float = 0.8
    """Looks (up and down) that peak under their bar but over this share of it count when their
    plateau over that share lasts this long (0.8 s, or the bar's own ``min_hold_s`` if a profile
    asks more; ``HoldParams.weak_share``, ``weak_hold_s``). MediaPipe reads a look on some faces at
    0.6 to 0.8 of its size: 5 of the 9 looks the studied score faces missed in session 49 peaked at
    0.91 to 0.99 of their bar (7.4 to 7.9 degrees against 8; 5.65 against a turned rest's 6.07),
    held 0.90 to 2.64 s at 0.85 of it. Every excursion under the bar and over 0.85 of it outside a
    look, on the studied faces and the tune part, held 0.42 s or less there (a fidget, astronaut
    negative-509); lowering the bar alone (session 32) let in a glance held 0.28 s and a real dip
    held 0.4 s (gnew). A patient asked to look holds it."""
    brow_max_turn_deg: float = 3.0
    """A brow raise counts only with yaw and roll within this of neutral: a fidget that turns
    or tilts the head by 3 to 5 degrees reads as raised brows on MediaPipe's blendshapes (0.15
    above rest), while a real brow raise moves the head's pitch, not its yaw or roll."""
    brow_look_floor_deg: float = 5.0
    brow_look_echo_deg: float = 15.0
    """With the head tipped chin-up further than ``brow_look_floor_deg`` plus this many degrees
    per unit of brow rise, the brows did not rise on their own: the look up raised them. Such
    a brow neither counts as a brow raise nor explains a head gesture (as with the head turned,
    ``brow_max_turn_deg``). MediaPipe's brow score follows the head's pitch on some faces
    (session 10, glook2): 0.020 to 0.024 per degree of looking up on ``lps11`` frontal (a
    child whose brows rest at 0.44) and 0.011 turned, 0 to 0.004 on the other studied and
    training faces; so ``lps11``'s looks up of 10 to 13 degrees rose 0.23 to 0.26, 1.3 to 1.4
    times the brow bar, three were dropped as "an expression rose more" and a held one became a
    brow raise. A real raise tips the pitch 1 to 4 degrees with the head still (see
    ``brow_pitch_echo_deg``; 2.3 to 2.7 on ``hopper``, whose raises read 0.01 to 0.04, and
    3.7 to 4.0 on ``lacamoire_mirror`` frontal, 0.09): the floor keeps them. A strong raise
    echoes 8 to 17 degrees per unit on the frontal faces: 0.6 then tips the pitch about 10,
    under 5 + 15 x 0.6 = 14. Measured closest to the limit over every studied and training
    raise: 2.3 degrees under it."""
    rest_learn_s: float = 1.0
    rest_window_s: float = 10.0
    """Uncalibrated patients: the resting expression scores are the low fifth of this many
    seconds of face near neutral..."""
    rest_every_s: float = 0.5
    """...refreshed this often..."""
    rest_near_deg: float = 5.0
    """...counting frames with the head within this of neutral on every axis (an open mouth
    tips MediaPipe's head pitch by 2 to 4 degrees)."""
    rest_open_eyes_margin: float = 0.1
    """The brows' resting score comes from frames with the eyes open (blink score at most this
    above the window's median): MediaPipe lowers the brows with every blink, and a face that
    blinks a third of the time would otherwise get a resting brow far below its real one, so
    that every way back from a blink read as a brow raise (a talker in the lipread clips)."""
    mouth_reopen_share: float = 0.2
    """A mouth opening during which the jaw closed out of its plateau and opened again, each
    by this share of the opening's peak (``HoldParams.reopen_share``; out of the plateau:
    ``HoldParams.reopen_trough_share``; on the median of three samples), is talking or
    mouthing words, not a request: a signer mouthing "tienes" (the jaw 0.22,
    down to 0.14, up to 0.31 above rest; signtune2 ``cm_cuantos_anos_tienes``, 0.23 of the
    peak) and a talker's two syllables (0.28, down to 0.12, up to 0.25; pkgface ``clm_cap13``
    at 12.5 s, 0.44) each made one excursion and one false mouth open. The labelled openings
    reopen far less: the real tune sets' at most 0.02, the widened recipe's tune part 0.06,
    its studied faces 0.11 (``lacamoire_mirror``)."""
    oscillation_jaw_share: float = 0.5
    """A nod or shake during which the jaw opened by this share of the patient's mouth_open
    threshold is a cough or talking, not a yes or no."""
    said_gestures: frozenset[str] = frozenset({"shake"})
    said_reversals: int = 3
    said_swing_ratio: float = 3.0
    """...except a shake (``said_gestures``) of at least ``said_reversals`` reversals whose swing
    is at least ``said_swing_ratio`` times its threshold: a "no" made with the head while
    saying or mouthing it. People who can speak a little say the word as they shake the head,
    and signers mouth it; the jaw's one or two openings then dropped every such shake (gest10:
    two real signers' shakes of 28 and 32 degrees with 3 and 4 reversals, the jaw 0.21 and
    0.27 above rest). What the jaw rule keeps out of shakes is smaller or shorter: talking
    sways the head by a few degrees (a real talker's 3 reversals of 3 degrees), a cough
    barely turns it, and a talker who turns to look and back makes two reversals (real talking
    heads: 9 to 17.5 degrees, two reversals each). Not nods: a cough jerks the chin down with
    the mouth open two to four times, which is a nod's pattern, swing and rhythm."""
    oscillation_look_back_s: float = 3.0
    talk_flicker_rise: float = 0.008
    """Talking, for the gestures of ``talk_flicker_gestures``: the jaw score rose this far above
    rest and fell back under half of it (:func:`beckon.vision.talking.jaw_flickers`), or
    ``talk_noise_k`` times the jaw's own jitter over the window if that is more..."""
    talk_noise_k: float = 3.0
    talk_flickers: int = 3
    """...this many times within ``oscillation_look_back_s``. Talking opens and closes the jaw
    at the syllable rate, so even a jaw score that barely moves (a small face turned from the
    camera: 0.01 to 0.04 while talking, under the 0.1 of ``oscillation_jaw_share``) flickers
    again and again, and talking sways the head by a degree or two. While the jaw flickers so,
    a shake must clear the detector's full swing bar (``full_swing_threshold``), not the one
    lowered for a calm patient: the calm measured before the talking says nothing of the
    talking's sway (2.2 degree swings passed a bar of 2 as shakes). A real shake made while
    mouthing "no" (a real signer's flickered 3 times) is larger than that sway and stays."""
    talk_flicker_gestures: frozenset[str] = frozenset({"shake"})
    """The gestures the flicker check applies to. Not nods: a nod tips the chin, which
    MediaPipe reads as the jaw opening (up to 4 rises of 0.008 during a true nod of the
    training face), so the jaw's flickers cannot tell talking from nodding; a shake turns the
    head about the vertical axis and leaves the jaw score nearly still (at most 2 rises of
    0.008 during the 50 true shakes of the rendered faces, 31 of the 32 on the score part
    none; the talking sway gave 4 and 5)."""
    defer_s: float = 0.6
    """How long a held look or turn waits while a nod or shake of its axis is under way..."""
    defer_max_s: float = 8.0
    """...and up to this long while that oscillation is still under way: the bottom of a slow
    (0.5 Hz) nod of a swaying patient passed for a look down, and the nod completes only a
    cycle or two later. 8 s is the longest nod the detectors cover (four cycles at 0.5 Hz); at
    4 s the first dip of a three-cycle 0.5 Hz nod was let through 0.7 s before the nod, which
    waits to be settled for 0.6 of its half period, completed. An oscillation under way ends
    within about a second once the head stops (see ``GestureParams.rest_reset_s``), so a real
    look waits no longer than that."""
    dropped_nod_dips: int = 1
    """A look waiting on a nod (or shake) that the jaw then drops (a cough) is dropped with it
    only if the nod swung out this many times more, the look's way, after the look came back
    (when it was made) and before the jaw opened: a dip of its own with the mouth shut.
    Gest39c's cough at the end of a 0.5 Hz nod dipped again after its first dip, the jaw
    opening as that dip turned; a real look down held 0.6 s and then a cough dipped none
    before the jaw opened, the nod being the look's own down-and-up read with the cough's bob
    (review rev40b). A jaw that opens before the nod's second dip lets that first dip out as
    a look, as before session 40."""
    defer_turn_margin_s: float = 0.6
    """...where "still under way" means a turning point within the nod (shake) detector's
    longest half period (``GestureParams.max_half_period_s``) and this margin (the next turning
    point is confirmed only once the head has moved back a swing from it): a held look whose
    own excursion left the nod detector with two turning points and a resting pitch that
    jitters over its settle band (a 78 px dim face, about 2 degrees) kept the look waiting for
    ``defer_max_s``, past the end of the clip (``lps11``, session 10), though no swing came.
    After a hold a paused nod's next turning point may come later than that
    (``OscillationDetector.next_turn_within_s``, up to twice the limit), and the engine does
    not wait for it, on purpose: waiting for it moved tune figures (whether twice the limit
    after every turning point or the detector's own reach after each hold: a look down lost on
    realrest_tune, pkgface's latency p95 2.70 to 3.10 s, a look up on the widened tune part
    reported 0.1 s later), and the reach after each hold changed none of 288 paused slow nods
    (nod34's probe, and 144 with holds up to 0.9 s and pauses up to 1.2 s; session 35,
    gest35d)."""
    adapt_window_s: float = 20.0
    """Uncalibrated patients: the expression thresholds follow the resting distribution of
    the last this many seconds (face near neutral)..."""
    adapt_min_s: float = 3.0
    """...once at least this many seconds of it were seen (30 frames at 10 fps: a face whose
    expressions read weakly is known before its first long blink is over);..."""
    blink_adapt_min_s: float = 1.0
    """...but the long blink's bar as soon as the resting face is learned, from the resting
    frames seen so far (those within 3 degrees of the neutral since the first frame, not since
    the rest was learned): at least this many seconds of them and ``blink_adapt_min_frames``
    outside a blink; in practice it is set on the frame the rest is learned (t=1.9 to 2.0 s).
    The detector's bar only; the echo ratio and the pitch's blink filter take the measured bar
    at the full adaptation (``adapt_min_s``). Why: until its bar is adapted the profile's
    0.18 applies, and a face whose closed eyes read 0.12 to 0.22 above rest (eyes that look
    half shut at rest, a face turned from the camera) lost its first long blink when it began
    in the first 3 s: 6 of the 11 long blinks the studied faces of the widened recipe missed
    (session 46); the 3 begun after the resting face was learned are heard now (the other 3
    were under way while it was learned).
    A long blink is the emergency call; the hold (``min_hold_s``), not the height, tells it
    from a normal blink, and the bar never goes under ``adapt_floor_ratio`` of the profile's.
    The other expressions keep ``adapt_min_s``: none of their misses on the studied faces
    came from the wait."""
    blink_adapt_min_frames: int = 8
    """...resting frames outside a blink (the 8 frames the resting face is learned from at
    the least)."""
    adapt_k: float = 8.0
    """...each threshold is ``adapt_k`` times the channel's lower spread (median minus the
    10th percentile: expressions only raise the scores, so the lower half is the rest) over
    the frames not inside an expression (the score below the detector's release level): a
    patient who makes gesture after gesture may hold one half of the time (five long blinks of
    1 to 3 s in 20 s), and the median of such a window was closed eyes, which once doubled the
    long blink's bar in the middle of a clip..."""
    adapt_floor_ratio: float = 0.6
    """...at least this share of the profile's threshold, and at most the threshold itself:
    a face whose resting scores are steady (one whose expressions read weakly, as a small or
    unfamiliar face's do) gets the lower bar, a noisy face keeps the default."""
    zero_rest_max: float = 0.01
    """A channel whose resting score (median) is at most this rests at MediaPipe's zero...
    """
    zero_rest_floor_ratio: float = 0.2
    """...and its adapted threshold may go down to this share of the profile's threshold
    (instead of ``adapt_floor_ratio``). Why: a blendshape score is clipped at 0, and a face
    that MediaPipe reads at exactly 0 at rest spends part of each expression getting off the
    clip, so the whole expression reads small, while the resting noise is nil (no jitter
    can rise above 0 for long either). The studied faces ``obama`` and ``obama_mirror`` (a
    photo turned 17 degrees; mirrored, rendered further to the patient's right and chin up,
    like the held-out face) rest at brow 0.001 with a lower spread of 0.0001, and their brow
    raises read 0.16 to 0.20 and 0.09 to 0.15 above rest: under the 0.12 floor, ``obama_mirror``
    lost all ten. Faces whose brows rest above 0 (0.016 to 0.12 on the others) keep
    ``adapt_floor_ratio``.

    Why 0.2 (a bar of 0.04), not 0.3 (session 31, margins on the tune part and the studied
    faces): on this render the weakest raises on zero-rest faces read 0.045 and 0.054
    (``obama_mirror``) and 0.064 (``obama``, whose plateau then sat at the 0.06 bar for 0.15 s),
    while nothing outside a raise held more than 0.025 for 0.45 s under the zero-rest bar, and
    ``hopper``'s brows (which rest at zero at times) waited 0.03 to 0.036 over rest for a
    second before a long blink. 0.06 sat past the weak raises' edge; 0.04 is in the middle of
    the gap. 0.03 (0.15) made that wait a false brow raise."""
    zero_rest_gestures: tuple[str, ...] = ("brow_raise",)
    """The expressions ``zero_rest_floor_ratio`` applies to: measured on brows only. The jaw
    and the eyes move in talk and in every blink, whose short rises a lower bar would bring
    nearer to a mouth open or a long blink."""
    zero_rest_early: bool = True
    """Apply ``zero_rest_floor_ratio`` as soon as the resting face is learned (or corrected)
    at MediaPipe's zero, before ``adapt_min_s`` of rest has measured the channel's spread.
    Why: the wait is there to measure the resting jitter, and a score clipped at 0 has none
    to measure (the adapted bar of such a face is always the floor), while until then the
    profile's bar (0.2) applies, which a face whose brows read small never reaches. The
    studied faces ``obama`` and ``obama_mirror`` raised their brows in the first 2 to 4 s
    (0.14 to 0.19 above rest) and lost those raises: one began 0.1 s after the rest was
    learned at 0.001, two were read again (``replay_s``) when the rest learned during the
    raise was corrected to 0.002, both against the bar of 0.2. The spread measured later
    still sets the bar as before (it may raise it back)."""
    blink_peak_share: float = 0.6
    """Uncalibrated patients: a long blink needs this share of how high the patient's own
    normal blinks rise (their median peak above rest), but no less than ``adapt_k`` times the
    resting spread (see ``adapt_k``). MediaPipe's blink score for closed
    eyes varies by face (0.1 to 0.5 above rest): the patient's short blinks, 15 a minute,
    measure it, and the hold (``min_hold_s``), not the height, tells a long blink from them."""
    blink_min_peak: float = 0.05
    """Smaller rises of the blink score are jitter, not blinks..."""
    blink_max_s: float = 0.5
    """...and ones longer than this are not normal blinks (see ``blink_peak_share``)."""
    blink_floor_ratio: float = 0.4
    """The long blink's bar stays at least this share of the profile's threshold."""
    reference_jump_deg: float = 8.0
    """See :meth:`GestureEngine._check_reference`: the smallest held gesture. Replacements by
    a nearby pose (3 to 6 degrees on the ASL clips) leave no phantom swing of a nod's size,
    and restarting on them let a false shake start (``dad_2``). A smaller jump restarts only
    the detector along whose axis it is a whole swing (its full swing bar, 4 degrees of
    pitch for a nod, 5 of yaw for a shake)."""
    occlusion: OcclusionParams = field(default_factory=OcclusionParams)
    """When a hand bends the face mesh (:mod:`beckon.vision.occlusion`): frames it disturbs
    are not usable for head gestures, so none starts from the pose jumps it causes."""
    hands: HandGateParams = field(default_factory=HandGateParams)
    """When a hand covered the face during a gesture's window (:mod:`beckon.vision.handgate`),
    the event is dropped; only with a hand provider (the hand model installed)."""
    crossing: CrossingParams = field(default_factory=CrossingParams)
    """When a held head gesture whose return is past rest the other way is held back
    (:mod:`beckon.vision.crossing`): once the head stayed there the other way's ``min_hold_s``,
    back out its own way and staying out it was a posture shift undone by the next gesture,
    and is dropped; back from there sooner, it was the same gesture twice, and both stand."""
    replay_s: float = 5.0
    """When the reference a held gesture is measured against arrives or is replaced (the
    neutral pose first fixed or moved to where the head really rests; the resting face first
    learned, or corrected after it was learned from an expression), the last this many
    seconds are read again against it: a patient who gestures in the first seconds, before a
    steady second came, is heard a moment late instead of never. An excursion already under
    way at the start of the kept frames does not count (rest must come first), nor one that
    began before the last event reported."""
    held_back_max_s: float = 5.0
    """A nod or shake held back (:class:`beckon.vision.gestures.HeldBack`) is released by the
    other axis's gesture at most this long after it completed, else dropped: the releasing
    gesture must have begun while it settled, so it is released that gesture's length later,
    up to 4.7 s for three cycles at 0.7 Hz at 10 fps (the gest35a probe's slowest; 4.5 lost
    three of its pairs; session 35, gest35e).
    Longer than ``replay_max_age_s`` on purpose: that bound would lose every slow pair. A
    bound at all because a movement that keeps starting over from that settle (a sway) is no
    next gesture, however it ends, and the hand gate's frames cover only seconds back.
    What it loses: a three- or four-cycle nod at 0.5 to 0.6 Hz made straight into a shake is
    released 5.7 to 8.0 s late and dropped (session 36 tried 9 s and took it back: the bedside
    applies a late report only to what was on screen when it was made, ``GestureEvent.made``,
    and after 8 s of scanning that is seldom still the same offer)."""
    replay_max_age_s: float | None = 1.5
    """A gesture the replay finds (``replay_s``) is reported only if it completed at most this
    long before the reference was corrected; an older one is logged and dropped (None: no
    limit). The replay is there for a patient who gestures while the reference is still being
    learned, and such a gesture is found again within a second of its end: at most 0.77 s on
    the widened recipe's tune part (7 gestures found again), 0.8 s in the unit tests of early
    gestures. Found seconds later, it is mostly a movement that was no request, read again
    against a reference corrected long after it: a signer lowering the eyes with a sign
    (fslsign ``turtle``, a long blink ended 3.0 s before the resting face was corrected) and
    a talking head's tilt that the live rules had rejected (gnew ``ed_expression_source``, 2.9
    s). Session 30: 1.0, 1.5 and 2.0 s gave the same figures on the tune part and on every
    real tune set (those two false events gone, every hit kept); 1.5 is about midway (by
    ratio) between the oldest true gesture found again and the youngest false one. What it
    costs: a real gesture made more than 1.5 s before a late correction is not heard; the
    patient repeats it, now against the corrected reference."""
