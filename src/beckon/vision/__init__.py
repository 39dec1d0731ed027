"""The vision path: camera frames to head-gesture events, all on the bedside tablet.

* :mod:`~beckon.vision.frames` - cameras, video files and in-memory frames;
* :mod:`~beckon.vision.face` - MediaPipe FaceLandmarker to :class:`FaceObservation`;
* :mod:`~beckon.vision.pose` - head angles relative to the patient's neutral pose;
* :mod:`~beckon.vision.away` - the head resting far from that neutral, where only nods and
  shakes work (the face status's hint ``away_from_rest``);
* :mod:`~beckon.vision.gestures` - nod and shake detectors on pose traces;
* :mod:`~beckon.vision.held` - held gestures (turns, tilts, looks, long blink, mouth, brows);
* :mod:`~beckon.vision.engine` - every detector of one patient, gating and arbitration;
* :mod:`~beckon.vision.handgate` - gestures made with a hand over the face are held back
  (:mod:`~beckon.vision.hands`: the hand landmarker; :mod:`~beckon.vision.handwatch`: the
  frames it looks at, live);
* :mod:`~beckon.vision.calibration` - the calibration that fills a patient's profile
  (:mod:`beckon.profile`);
* :mod:`~beckon.vision.sequence` - the trained temporal model (ONNX) that checks events;
* :mod:`~beckon.vision.pipeline` - all of the above per frame, with timings and face status;
* :mod:`~beckon.vision.replay` - ``beckon replay``.

Footage, training and benchmarks live apart from the product, in :mod:`beckon.lab`.

Submodules are not imported here, so ``import beckon.vision`` does not load MediaPipe.
"""
