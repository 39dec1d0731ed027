"""The gesture benchmark's recipe and scoring (the rendering itself is exercised elsewhere)."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from beckon.lab import benchdata, synthetic
from beckon.lab.gesture_bench import MATCH_AFTER_S, Tally, false_example, match
from beckon.lab.train import training_clips
from beckon.profile import GESTURES
from beckon.vision.gestures import GestureEvent


@pytest.fixture(scope="module")
def recipe() -> list[benchdata.ClipSpec]:
    return benchdata.recipe()


def test_the_recipe_has_every_gesture_on_every_patient_and_30_minutes_of_negatives(
    recipe: list[benchdata.ClipSpec],
) -> None:
    described = benchdata.describe(recipe)
    assert described["negative"]["minutes"] >= 30.0
    for patient in {c.patient for c in recipe}:
        labels = [lb.gesture for c in recipe if c.patient == patient for lb in c.labels]
        assert set(labels) == set(GESTURES)
    # Since session 4 the classic recipe's score face (hopper) is a studied face, never trained
    # (obama, studied since session 8, is in the widened recipe only).
    assert {c.face for c in recipe} & set(benchdata.STUDIED_FACES) == {"hopper"}
    assert all(not c.labels for c in recipe if c.kind == "negative")


def test_held_out_and_studied_faces_never_reach_training() -> None:
    assert not {c.face for c in training_clips()} & set(benchdata.SCORE_ONLY_FACES)
    assert set(benchdata.HELD_OUT_FACES) <= set(benchdata.SCORE_ONLY_FACES)
    assert set(benchdata.STUDIED_FACES) <= set(benchdata.SCORE_ONLY_FACES)


def test_each_face_counts_in_one_report_group() -> None:
    assert benchdata.face_group("luispedro") == "held_out"
    assert benchdata.face_group("hopper") == "studied"
    assert benchdata.face_group("obama") == "studied"
    for face in benchdata.NEW_STUDIED_FACES:  # session 10: a table of their own
        assert face in benchdata.STUDIED_FACES
        assert benchdata.face_group(face) == "new_studied"
    assert benchdata.face_group("astronaut") == "training_faces"
    assert benchdata.face_group("astronaut_mirror") == "training_faces"
    # Real recordings: faces of no list never trained anything.
    assert benchdata.face_group("comp4989-clip-07") == "held_out"


def test_clip_keys_are_stable_and_depend_on_what_is_rendered(
    recipe: list[benchdata.ClipSpec],
) -> None:
    again = benchdata.recipe()
    assert [c.key() for c in recipe] == [c.key() for c in again]
    assert len({c.key() for c in recipe}) == len(recipe)
    assert recipe[0].key("model-a") != recipe[0].key("model-b")


def test_labels_fall_inside_their_clips(recipe: list[benchdata.ClipSpec]) -> None:
    for c in recipe:
        for lb in c.labels:
            assert 0.0 < lb.start < lb.end <= c.duration + 1e-6


def test_the_calibration_clip_follows_the_standard_plan() -> None:
    clip = benchdata.calibration_clip("astronaut", "p", 1.0, seed=1)
    assert list(clip.labels) == benchdata.calibration_plan()
    assert clip.duration == pytest.approx(clip.labels[-1].end, abs=0.05)


def test_negative_clips_record_what_the_patient_was_doing(
    recipe: list[benchdata.ClipSpec],
) -> None:
    negatives = [c for c in recipe if c.kind == "negative"]
    done = {a.gesture for c in negatives for a in c.activities}
    assert done == set(benchdata.ACTIVITIES)


def test_effects_darken_occlude_and_add_noise() -> None:
    frame = np.full((48, 64, 3), 200, dtype=np.uint8)
    rng = np.random.default_rng(0)
    low_light = benchdata.Effects(0.0, brightness=0.35)
    dark = benchdata.apply_effects(frame, low_light, (0, 0, 1, 1), rng)
    assert 60 <= dark.mean() <= 80
    masked = benchdata.apply_effects(
        frame, benchdata.Effects(0.0, occluder=(0.0, 0.5, 1.0, 1.0)), (0, 0, 63, 47), rng
    )
    assert (masked[40] != 200).all() and (masked[5] == 200).all()
    noisy = benchdata.apply_effects(frame, benchdata.Effects(4.0), (0, 0, 1, 1), rng)
    assert 2.0 < np.abs(noisy.astype(int) - 200).mean() < 5.0


def test_matching_events_to_performed_gestures() -> None:
    labels = [benchdata.Label("nod", 2.0, 4.0), benchdata.Label("turn_left", 8.0, 10.0)]
    events = [
        GestureEvent(4.3, "nod", 0.9),  # 0.3 s after the nod ended
        GestureEvent(4.5, "nod", 0.9),  # a second event for the same nod: false
        GestureEvent(10.0 + MATCH_AFTER_S + 0.1, "turn_left", 0.9),  # too late: false
        GestureEvent(6.0, "shake", 0.8),  # nothing performed: false
    ]
    pairs, false, missed = match(events, labels)
    assert [(e.t, lb.gesture) for e, lb in pairs] == [(4.3, "nod")]
    assert [e.gesture for e in false] == ["nod", "shake", "turn_left"]
    assert missed == [labels[1]]


def test_a_late_released_nod_matches_the_nod_it_was_made_at() -> None:
    # A nod made as the labelled nod ended (4.3 s), held back and released with the shake
    # after it at 9.0 s: a hit, not a miss and a false nod. One made too late is still false.
    labels = [benchdata.Label("nod", 2.0, 4.0), benchdata.Label("shake", 5.0, 8.0)]
    released = GestureEvent(9.0, "nod", 0.9, made=4.3)
    shake = GestureEvent(9.0, "shake", 0.9)
    pairs, false, missed = match([shake, released], labels)
    assert [(e.gesture, lb.gesture) for e, lb in pairs] == [("nod", "nod"), ("shake", "shake")]
    assert false == [] and missed == []
    late = GestureEvent(9.0, "nod", 0.9, made=4.0 + MATCH_AFTER_S + 0.1)
    assert match([late], labels[:1]) == ([], [late], labels[:1])


def test_the_false_event_list_says_when_each_was_made_and_reported() -> None:
    # The matching reads when an event was made; the list gave only its report time, seconds
    # later for a nod held back and released with the shake after it.
    released = GestureEvent(9.0, "nod", 0.9, made=4.3)
    assert false_example("c1", released) == {"clip": "c1", "gesture": "nod", "t": 9.0, "made": 4.3}
    plain = GestureEvent(2.5, "shake", 0.9)
    assert false_example("c1", plain)["made"] == 2.5


def test_precision_recall_and_f1() -> None:
    t = Tally(tp=8, fp=1, fn=0)
    assert (t.precision, t.recall) == (pytest.approx(8 / 9), 1.0)
    assert t.f1 == pytest.approx(16 / 17)
    assert Tally().f1 == 1.0


def test_scripted_expressions_reach_the_renderer() -> None:
    blink = benchdata.gesture_segments("long_blink", 1.0, random.Random(0))
    poses = synthetic.build_poses([synthetic.still(0.2), *blink, synthetic.still(0.3)], 10.0)
    assert max(p.eye_left for p in poses) == pytest.approx(1.0)
    assert poses[-1].eye_left == pytest.approx(0.0, abs=1e-6)


# ---------------------------------------------------------------- the widened recipe


def test_the_wide_recipe_spans_the_human_range_and_keeps_held_out_faces_for_scoring() -> None:
    from beckon.lab import widerecipe

    tune, score = widerecipe.wide_recipe("tune"), widerecipe.wide_recipe("score")
    assert not {c.face for c in tune} & set(benchdata.SCORE_ONLY_FACES)
    assert {c.face for c in score} >= set(benchdata.SCORE_ONLY_FACES)
    assert not {c.key() for c in tune} & {c.key() for c in score}
    clips = tune + score
    assert {c.fps for c in clips} == {10.0, 15.0, 30.0}
    assert {dict(c.conditions)["face"] for c in clips} == {"70-90px", "90-120px", "native"}
    assert {dict(c.conditions)["onset"] for c in clips if c.kind == "positive"} == {"rest", "none"}
    speeds = {
        widerecipe.label_conditions(c, i)["speed"]
        for c in clips
        if c.kind == "positive"
        for i, lb in enumerate(c.labels)
        if lb.gesture in ("nod", "shake")
    }
    assert speeds == {"0.5-1Hz", "1-2Hz", "2-3.5Hz"}
    for c in clips:
        for lb in c.labels:
            assert 0.0 <= lb.start < lb.end <= c.duration + 1e-6
    assert "tremor" in {a.gesture for c in clips if c.kind == "negative" for a in c.activities}
    with pytest.raises(ValueError):
        widerecipe.wide_recipe("tune", faces=benchdata.HELD_OUT_FACES)
    with pytest.raises(ValueError):
        widerecipe.wide_recipe("tune", faces=benchdata.STUDIED_FACES)


def test_a_new_score_face_is_appended_so_every_cached_clip_keeps_its_key() -> None:
    """Rendering and observing the score part costs about an hour: a face added to the recipe
    must leave every earlier clip (its seed, script and cache key) exactly as it was."""
    from beckon.lab import widerecipe

    score = widerecipe.wide_recipe("score")
    before = widerecipe.wide_recipe("score", faces=("astronaut", "hopper"))
    keys = {c.name: c.key() for c in score}
    assert all(keys[c.name] == c.key() for c in before)
    # The off-axis clips (a rest turned from the camera, session 5) come after every other.
    # (Each score face has as many clips: luispedro came third in session 4, obama fourth in 8.)
    faces = len(widerecipe.PART_FACES["score"])
    frontal = widerecipe.frontal_photo_clips("score")  # session 10, after all others
    assert len([c for c in score if c.rest is None]) == len(before) * faces // 2 + len(frontal)
    # The turned photo's clips (session 8, second round) come last of all but the frontal
    # clips of session 10's faces.
    turned = widerecipe.turned_photo_clips("score")
    assert turned and frontal and score[-len(turned) - len(frontal) :] == turned + frontal
    # Keys as cached before the third face came (session 4): a change here re-renders hours.
    assert keys["wide-score/hopper/nod"] == "a9334c66d20735de6c05"
    assert keys["wide-score/astronaut/long_blink-2"] == "e061d031c73142892d22"
    assert keys["wide-score/hopper/negative-509"] == "7e0a78d7a7a8a8f6a74e"
    assert widerecipe.wide_recipe("tune")[0].key() == "14e607a8cde2ce5b1358"


def test_off_axis_clips_are_appended_and_rest_turned_from_the_camera() -> None:
    """Clips of a patient whose head rests 15 to 32 degrees to one side (a tablet beside the
    bed) come after every earlier clip of their part, so the cache stays warm; the held-out
    face never gets any (it is turned itself, and nobody may study it)."""
    from beckon.lab import widerecipe

    tune, score = widerecipe.wide_recipe("tune"), widerecipe.wide_recipe("score")
    # The turned photo's clips (session 8, second round; their own test) come after these.
    score = score[: len(score) - len(widerecipe.turned_photo_clips("score"))]
    score = score[: len(score) - len(widerecipe.frontal_photo_clips("score"))]
    for part in (tune, score):
        # Every clip before them rests facing the camera; only clips added later (the tremor
        # clips of session 6) come after them.
        turned = [i for i, c in enumerate(part) if c.rest is not None]
        assert turned == list(range(turned[0], turned[-1] + 1))
        assert all(c.rest is None for c in part[: turned[0]])
        assert all("/tremor-" in c.name for c in part[turned[-1] + 1 :])
    off = [c for c in tune + score if c.rest is not None]
    assert {c.face for c in off} == {"astronaut_mirror", "hopper"}
    assert {c.name.split("/")[1] for c in off} == {"astronaut_mirror", "hopper"}
    assert all("/off-axis/" in c.name for c in off)
    yaws = [c.rest[1] for c in off if c.rest is not None]
    assert min(abs(y) for y in yaws) >= 15 and max(abs(y) for y in yaws) <= 32
    assert any(y > 0 for y in yaws) and any(y < 0 for y in yaws)
    gestures = {lb.gesture for c in off for lb in c.labels}
    assert {"turn_left", "turn_right", "look_up", "look_down", "long_blink"} <= gestures
    assert any(c.kind == "negative" for c in off)
    # The rest is part of what is rendered, so of the cache key.
    c = off[0]
    assert replace(c, rest=None).key() != c.key()
    assert dict(c.conditions)["rest"].startswith("yaw")


def test_the_turned_photo_clips_rest_turned_to_the_patients_right_and_tipped() -> None:
    """``obama_mirror`` (a studied face, never in training or the tune part) gets held
    gestures, long blinks, brow raises and negatives from a rest further to the patient's right
    and chin up, like the held-out face's own photo; named apart from the off-axis clips."""
    from beckon.lab import widerecipe

    turned = widerecipe.turned_photo_clips("score")
    assert not widerecipe.turned_photo_clips("tune")
    faces = widerecipe.TURNED_PHOTO_FACES["score"]
    assert faces[0] == "obama_mirror"  # append only: the place is part of the seeds
    assert {c.face for c in turned} == set(faces)
    assert set(faces) <= set(benchdata.SCORE_ONLY_FACES) - set(benchdata.HELD_OUT_FACES)
    assert all(f"/{c.face}/turned/" in c.name for c in turned)
    assert all(c.rest == widerecipe.TURNED_PHOTO_REST for c in turned if c.face == "obama_mirror")
    # Session 10's faces (frontal photos of other people) come after obama_mirror's clips,
    # whose keys (cached in session 8) stay as they were.
    first = [c.face for c in turned].index(faces[1])
    assert all(c.face == "obama_mirror" for c in turned[:first])
    assert turned[0].key() == "c400c2b0708323203a6d"
    assert turned[first - 1].key() == "6daa77509866a89ded23"
    for face in faces:
        rest = widerecipe.TURNED_PHOTO_RESTS.get(face, widerecipe.TURNED_PHOTO_REST)
        assert all(c.rest == rest for c in turned if c.face == face)
        pitch, yaw, _ = rest
        assert pitch < 0 and yaw < 0  # chin up, toward the patient's own right
    gestures = {lb.gesture for c in turned for lb in c.labels}
    assert gestures == set(widerecipe.TURNED_PHOTO_GESTURES)
    assert sum(c.kind == "negative" for c in turned) == widerecipe.TURNED_PHOTO_NEGATIVES * len(
        faces
    )
    # Each labelled performance keeps its drawn conditions under the new name.
    assert all("hold" in widerecipe.label_conditions(c, 0) for c in turned if c.labels)
    assert len({c.seed for c in turned}) == len(turned)


def test_tremor_clips_are_appended_to_the_tune_part_only() -> None:
    """A trembling patient (4 to 7 Hz, 3 to 8 degrees, mostly at 10 fps, where tremor aliases
    onto a brisk nod's frames) as rendered negatives, after every earlier clip of the tune
    part, so every cached clip keeps its key; the score part gets none (it is not re-tuned)."""
    from beckon.lab import synthetic, widerecipe

    tune, score = widerecipe.wide_recipe("tune"), widerecipe.wide_recipe("score")
    trembling = [c for c in tune if "/tremor-" in c.name]
    assert tune[-len(trembling) :] == trembling and len(trembling) == 3
    assert not [c for c in score if "/tremor-" in c.name]
    assert [c.fps for c in trembling] == [10.0, 10.0, 15.0]
    assert all(c.kind == "negative" and c.labels == () for c in trembling)
    assert {a.gesture for c in trembling for a in c.activities} == {"tremor"}
    wobbles = [
        part
        for c in trembling
        for seg in c.segments
        if isinstance(seg, synthetic.Together)
        for part in seg.parts
        if isinstance(part, synthetic.Oscillation) and part.axis in ("pitch", "yaw")
    ]
    assert wobbles and all(3.8 <= w.hz <= 7.4 for w in wobbles)
    assert max(w.amplitude_deg for w in wobbles) > 6.0
    assert {w.axis for w in wobbles} == {"pitch", "yaw"}
    # Cached before session 6: a change here re-renders.
    assert tune[0].key() == "14e607a8cde2ce5b1358"


def test_the_wide_recipe_is_big_enough_that_one_miss_does_not_decide_the_score() -> None:
    from beckon.lab import widerecipe

    tune, score = widerecipe.wide_recipe("tune"), widerecipe.wide_recipe("score")
    for part in (tune, score):
        # (The turned photo's held-gesture clips have no nods or shakes: see their own test.)
        for face in {c.face for c in part} - set(widerecipe.TURNED_PHOTO_FACES["score"]):
            for g in ("nod", "shake"):
                n = sum(lb.gesture == g for c in part if c.face == face for lb in c.labels)
                assert n >= 20, (face, g, n)
    negative_min = sum(c.duration for c in tune + score if c.kind == "negative") / 60
    assert negative_min >= 25
    names = [c.name for c in tune + score]
    assert len(names) == len(set(names))
    assert len({c.seed for c in tune + score}) == len(names)
    # The first clips keep the first widened recipe's names (and cached observations).
    assert "wide-score/hopper/nod" in names and "wide-score/hopper/nod-4" in names


def test_drawn_oscillations_stay_in_range() -> None:
    from beckon.lab import widerecipe

    rng = random.Random(3)
    for _ in range(200):
        segs, _ = widerecipe.oscillation("nod", rng)
        osc = segs[0]
        assert isinstance(osc, synthetic.Oscillation)
        assert 0.5 <= osc.hz <= 3.5 and 3.0 <= osc.amplitude_deg <= 25.0
        assert 1.5 - 1e-9 <= osc.duration_s * osc.hz <= 4.0 + 1e-9
        poses = synthetic.build_poses(segs, 30.0)
        assert abs(synthetic.build_poses([*segs, synthetic.still(0.1)], 30.0)[-1].pitch) < 1e-6
        assert poses


def test_zoom_out_shrinks_the_picture_about_the_face() -> None:
    frame = np.zeros((48, 64, 3), dtype=np.uint8)
    frame[14:34, 22:42] = 255  # a 20 px "face" centred at (32, 24)
    small = benchdata.zoom_out(frame, 0.5, (32.0, 24.0))
    cols = np.where(small[24, :, 0] > 128)[0]
    assert 9 <= len(cols) <= 11 and 26 <= cols.mean() <= 38
    assert benchdata.zoom_out(frame, 1.0, (0, 0)) is frame


# ---------------------------------------------------------------- real recordings


def test_recordings_labels_are_read_and_checked(tmp_path: Path) -> None:
    from beckon.errors import BeckonError
    from beckon.lab import recordings

    (tmp_path / "a.mp4").write_bytes(b"x")
    (tmp_path / "b.mp4").write_bytes(b"x")
    (tmp_path / "labels.toml").write_text(
        '[[clip]]\nfile = "a.mp4"\ngestures = [{ gesture = "nod", start = 0.5, end = 2.0 }]\n'
        '[[clip]]\nfile = "b.mp4"\nkind = "negative"\n'
    )
    recs = recordings.load_labels(tmp_path)
    assert [r.kind for r in recs] == ["positive", "negative"]
    assert recs[0].labels == (benchdata.Label("nod", 0.5, 2.0),)
    bad = {
        'file = "missing.mp4"': "not found",
        'file = "a.mp4"\ngestures = [{ gesture = "wave", start = 0, end = 1 }]': "unknown gesture",
        'file = "a.mp4"\ngestures = [{ gesture = "nod", start = 2, end = 1 }]': "start",
        'file = "a.mp4"\nkind = "negative"\ngestures = [{ gesture = "nod", start = 0, end = 1 }]': (
            "negative"
        ),
    }
    for body, message in bad.items():
        (tmp_path / "labels.toml").write_text("[[clip]]\n" + body + "\n")
        with pytest.raises(BeckonError, match=message):
            recordings.load_labels(tmp_path)
    (tmp_path / "labels.toml").unlink()
    with pytest.raises(BeckonError, match=r"labels\.toml"):
        recordings.load_labels(tmp_path)


def _still_observed(n: int, fps: float = 30.0) -> benchdata.Observed:
    """``n`` frames at ``fps`` of a found, frontal face with a resting expression."""
    return benchdata.Observed(
        np.arange(n) / fps,
        np.ones(n, dtype=bool),
        np.ones(n),
        np.repeat(np.eye(3)[None], n, axis=0),
        np.zeros((n, len(benchdata.BLENDSHAPES_KEPT)), dtype=np.float32),
    )


def test_short_recordings_are_padded_with_their_last_frame() -> None:
    from beckon.lab import recordings

    n = 30
    obs = _still_observed(n)
    padded = recordings.pad_end(obs, 1.5)
    assert len(padded.t) == n + 45
    assert padded.t[-1] == pytest.approx(obs.t[-1] + 1.5)
    assert np.all(np.diff(padded.t) > 0)


def test_recordings_count_only_their_recorded_minutes_as_negatives(tmp_path: Path) -> None:
    """The held last frame lets a gesture complete; it is not footage, so a negative clip of
    one second counts one second, not 2.5 (the real clips' false events per minute looked
    40 % lower than they were)."""

    from beckon.lab import recordings

    folder, cache = tmp_path / "clips", tmp_path / "cache"
    folder.mkdir()
    (folder / "still.mp4").write_bytes(b"a video")
    (folder / "labels.toml").write_text('[[clip]]\nfile = "still.mp4"\nkind = "negative"\n')
    model = tmp_path / "model.task"
    model.write_bytes(b"a model")
    n = 30  # one second at 30 fps, already observed (the cache entry as_clips looks for)
    obs = _still_observed(n)
    (cache / "recordings").mkdir(parents=True)
    benchdata._save(cache / "recordings" / recordings.cache_entry(b"a video", b"a model"), obs)

    recs = recordings.load_labels(folder)
    clips, observed = recordings.as_clips(recs, model, cache)
    assert observed["still.mp4"].t[-1] == pytest.approx(obs.t[-1] + recordings.PAD_S)
    assert clips[0].duration == pytest.approx(1.0)
    assert recordings.describe(recs, clips)["negative_minutes"] == pytest.approx(1 / 60, abs=0.005)


def test_session_10_faces_also_face_the_camera_in_clips_of_their_own() -> None:
    """One clip of every gesture and a minute of negatives per session 10 face, resting as
    its photo faces (no rest rotation), after every other clip; never in the tune part."""
    from beckon.lab import widerecipe

    frontal = widerecipe.frontal_photo_clips("score")
    assert not widerecipe.frontal_photo_clips("tune")
    assert {c.face for c in frontal} == set(benchdata.NEW_STUDIED_FACES)
    assert all(c.rest is None and f"/{c.face}/frontal/" in c.name for c in frontal)
    for face in benchdata.NEW_STUDIED_FACES:
        gestures = {lb.gesture for c in frontal if c.face == face for lb in c.labels}
        assert gestures == set(benchdata.GESTURE_ORDER)
    assert sum(c.kind == "negative" for c in frontal) == len(benchdata.NEW_STUDIED_FACES)
    score = widerecipe.wide_recipe("score")
    assert len({c.seed for c in score}) == len(score)


def test_the_bench_relearns_a_face_gone_ten_seconds_as_the_bedside_does() -> None:
    """A new patient (resting 20 degrees to the side) after 11.5 s without a face, who then
    turns 15 degrees further: heard against their own rest, as the bedside hears it
    (:class:`~beckon.vision.absence.AbsenceWatch`); against the old patient's neutral, the
    turn was missed."""
    from beckon.lab.gesture_bench import online_events
    from beckon.vision.engine import GestureEngine
    from beckon.vision.pose import rotation_from_angles

    fps = 15.0
    rng = np.random.default_rng(0)
    t = np.arange(0.0, 24.0, 1 / fps)
    found = ~((t >= 3.0) & (t < 14.5))

    def yaw(ti: float) -> float:
        if ti < 3.0:
            return 0.0
        turn = 15.0 * min(1.0, (ti - 18.0) / 0.3, (20.0 - ti) / 0.3) if 18.0 <= ti < 20.0 else 0
        return 20.0 + turn

    rotations = np.array(
        [
            rotation_from_angles(
                rng.normal(0, 0.2), yaw(ti) + rng.normal(0, 0.2), rng.normal(0, 0.2)
            )
            for ti in t
        ]
    )
    observed = benchdata.Observed(
        t,
        found,
        found.astype(float),
        rotations,
        np.zeros((len(t), len(benchdata.BLENDSHAPES_KEPT)), dtype=np.float32),
    )
    events = online_events(observed, GestureEngine()).events
    assert [e.gesture for e in events] == ["turn_left"]
    assert 20.0 <= events[0].t <= 21.5


def test_each_performance_is_also_counted_as_made_while_calibrating_or_after() -> None:
    """A nod in the clip's first second (the neutral pose not yet known) and one after a rest
    of several seconds land in ``made=calibrating`` and ``made=ready``: the real score sets'
    gestures nearly all begin in their first second, and the report must show that."""
    from beckon.lab.gesture_bench import evaluate_online
    from beckon.vision.engine import GestureEngine
    from beckon.vision.pose import rotation_from_angles

    fps = 30.0
    rng = np.random.default_rng(1)
    t = np.arange(0.0, 12.0, 1 / fps)

    def pitch(ti: float) -> float:
        for start in (0.2, 7.0):
            if start <= ti < start + 1.4:  # two nods of 12 degrees at 1.4 Hz
                return 12.0 * np.sin(2 * np.pi * 1.4 * (ti - start))
        return 0.0

    rotations = np.array(
        [rotation_from_angles(pitch(ti) + rng.normal(0, 0.1), rng.normal(0, 0.1), 0) for ti in t]
    )
    observed = benchdata.Observed(
        t,
        np.ones(len(t), dtype=bool),
        np.ones(len(t)),
        rotations,
        np.zeros((len(t), len(benchdata.BLENDSHAPES_KEPT)), dtype=np.float32),
    )
    labels = (benchdata.Label("nod", 0.2, 1.6), benchdata.Label("nod", 7.0, 8.4))
    clip = benchdata.ClipSpec(
        "two_nods.mp4", "recording", "recording", "positive", (synthetic.still(12.0),), labels
    )
    report = evaluate_online([clip], {clip.name: observed}, lambda p: GestureEngine(p))
    rows = report["conditions"]
    early, late = rows["made=calibrating"]["nod_shake"], rows["made=ready"]["nod_shake"]
    assert (early["tp"] + early["fn"], late["tp"] + late["fn"]) == (1, 1)
    assert late["tp"] == 1  # the nod after a rest is heard


def test_latency_counts_from_when_an_event_is_reported_not_when_it_was_made() -> None:
    """A held look that waits behind a nod of its axis is reported up to ``defer_max_s`` after
    it was made; the patient waits until the report. A real look in realrest_tune was made at
    7.56 s and reported at 8.75 s, while the bench said 0.31 s after its end: the latency now
    runs to the frame the event came out on (here an engine that reports each look 1.0 s
    after making it)."""
    from dataclasses import replace

    from beckon.lab.gesture_bench import evaluate_online
    from beckon.vision.engine import GestureEngine
    from beckon.vision.face import FaceObservation
    from beckon.vision.gestures import GestureEvent

    class LateEngine(GestureEngine):
        """Reports a look up made at 3.0 s, on the frame of 4.0 s (as a deferred look)."""

        def update(self, obs: FaceObservation) -> list[GestureEvent]:
            super().update(replace(obs, pitch=0.0, yaw=0.0, roll=0.0))
            return [GestureEvent(3.0, "look_up", 0.9)] if obs.t == 4.0 else []

    observed = _still_observed(80, fps=10.0)  # 0.0 to 7.9 s
    label = benchdata.Label("look_up", 2.0, 2.8)
    clip = benchdata.ClipSpec(
        "late.mp4", "recording", "recording", "positive", (synthetic.still(8.0),), (label,)
    )
    report = evaluate_online([clip], {clip.name: observed}, lambda p: LateEngine(p))
    group = next(g for g in report["groups"].values() if g["gestures"]["look_up"]["tp"])
    assert group["gestures"]["look_up"]["tp"] == 1
    assert group["latency_median_s"] == pytest.approx(4.0 - 2.8)  # not 3.0 - 2.8


def test_a_false_event_found_late_is_counted_under_when_it_was_made() -> None:
    """A look the replay finds as the first neutral is fixed is reported then, made seconds
    before while the neutral was being learned (``GestureEvent.made``): a false one counts
    under ``made=calibrating``, not under the time it was reported (``made=ready``)."""
    from dataclasses import replace

    from beckon.lab.gesture_bench import evaluate_online
    from beckon.vision.engine import GestureEngine
    from beckon.vision.face import FaceObservation
    from beckon.vision.gestures import GestureEvent

    class ReplayingEngine(GestureEngine):
        """Reports a look up made at 0.5 s on the frame of 1.5 s (as the replay does); the
        still face's neutral is known at 0.9 s."""

        def update(self, obs: FaceObservation) -> list[GestureEvent]:
            super().update(replace(obs, pitch=0.0, yaw=0.0, roll=0.0))
            return [GestureEvent(1.5, "look_up", 0.9, made=0.5)] if obs.t == 1.5 else []

    observed = _still_observed(80, fps=10.0)  # 0.0 to 7.9 s
    clip = benchdata.ClipSpec(
        "rest.mp4", "recording", "recording", "negative", (synthetic.still(8.0),), ()
    )
    report = evaluate_online([clip], {clip.name: observed}, lambda p: ReplayingEngine(p))
    rows = report["conditions"]
    assert rows["made=calibrating"]["held"]["fp"] == 1
    assert "made=ready" not in rows or rows["made=ready"]["held"]["fp"] == 0
