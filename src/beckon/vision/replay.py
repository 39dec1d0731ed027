"""``beckon replay VIDEO --json``: run the vision path over a recording, one JSON line per event.

Why: a recorded clip is the reproducible way to check a detector change, to send a bug report,
or to compare against a labelled recording. Times are seconds from the start of the video
(frame index / fps), so two runs over the same file give the same lines.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TextIO

from beckon.profile import GestureProfile
from beckon.vision.frames import VideoFileSource
from beckon.vision.pipeline import VisionPipeline
from beckon.vision.sequence import default_verifier

logger = logging.getLogger(__name__)


def replay(
    video: Path,
    model_path: Path,
    out: TextIO,
    profile: GestureProfile | None = None,
    use_sequence_model: bool = True,
    hand_model: Path | None = None,
) -> int:
    """Write ``{"type": "gesture", "gesture": ..., "t": ..., "confidence": ...}`` lines to ``out``.

    ``profile`` is the patient's calibrated profile (default: built-in thresholds); the shipped
    sequence model vetoes implausible events unless ``use_sequence_model`` is false;
    ``hand_model`` (the hand landmarker bundle) turns on the hand gate, as at the bedside.
    Returns the number of events written. Raises :class:`beckon.errors.FrameSourceError` for a
    missing or unreadable video and :class:`beckon.errors.ModelError` for a missing model.
    """
    count = 0
    verifier = default_verifier(profile) if use_sequence_model else None
    with (
        VideoFileSource(video) as source,
        VisionPipeline(
            model_path, profile=profile, verifier=verifier, hand_model=hand_model
        ) as pipeline,
    ):
        for event in pipeline.run(source):
            out.write(json.dumps(event.to_json_dict()) + "\n")
            out.flush()
            count += 1
        stats = pipeline.stats()
    logger.info(
        "replayed %s: %d frames at %.1f fps, %d gesture events",
        video,
        stats.frames,
        source.fps,
        count,
    )
    return count
