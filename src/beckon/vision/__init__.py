"""The vision path: camera frames to head-gesture events, all on the bedside tablet.

* :mod:`~beckon.vision.frames` - cameras, video files and in-memory frames;
* :mod:`~beckon.vision.face` - MediaPipe FaceLandmarker to :class:`FaceObservation`;
* :mod:`~beckon.vision.pose` - head angles relative to the patient's neutral pose;
* :mod:`~beckon.vision.gestures` - nod and shake detectors on pose traces;
* :mod:`~beckon.vision.pipeline` - all of the above per frame, with timings and face status;
* :mod:`~beckon.vision.synthetic` - re-rendered face photos at scripted head poses (demo, tests);
* :mod:`~beckon.vision.replay` and :mod:`~beckon.vision.bench` - ``beckon replay`` and
  ``beckon bench vision``.

Submodules are not imported here, so ``import beckon.vision`` does not load MediaPipe.
"""
