"""The vision path: camera frames to head-gesture events, all on the bedside tablet.

* :mod:`~beckon.vision.frames` - cameras, video files and in-memory frames;
* :mod:`~beckon.vision.face` - MediaPipe FaceLandmarker to :class:`FaceObservation`;
* :mod:`~beckon.vision.pose` - head angles relative to the patient's neutral pose;
* :mod:`~beckon.vision.gestures` - nod and shake detectors on pose traces;
* :mod:`~beckon.vision.held` - held gestures (turns, tilts, looks, long blink, mouth, brows);
* :mod:`~beckon.vision.engine` - every detector of one patient, gating and arbitration;
* :mod:`~beckon.vision.profile` and :mod:`~beckon.vision.calibration` - per-patient profiles
  (TOML) and the calibration that fills them;
* :mod:`~beckon.vision.sequence` - the trained temporal model (ONNX) that vetoes implausible
  events; :mod:`~beckon.vision.train` trains it (optional ``train`` extra);
* :mod:`~beckon.vision.pipeline` - all of the above per frame, with timings and face status;
* :mod:`~beckon.vision.synthetic` - re-rendered face photos at scripted head poses and
  expressions (demo, tests); :mod:`~beckon.vision.faces` - the photos;
* :mod:`~beckon.vision.benchdata` and :mod:`~beckon.vision.gesture_bench` - labelled synthetic
  footage and ``beckon bench gestures``;
* :mod:`~beckon.vision.replay` and :mod:`~beckon.vision.bench` - ``beckon replay`` and
  ``beckon bench vision``.

Submodules are not imported here, so ``import beckon.vision`` does not load MediaPipe.
"""
