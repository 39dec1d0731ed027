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

from beckon.vision.frames import VideoFileSource
from beckon.vision.pipeline import VisionPipeline

logger = logging.getLogger(__name__)


def replay(video: Path, model_path: Path, out: TextIO) -> int:
    """Write ``{"type": "gesture", "gesture": ..., "t": ..., "confidence": ...}`` lines to ``out``.

    Returns the number of events written. Raises :class:`beckon.errors.FrameSourceError` for a
    missing or unreadable video and :class:`beckon.errors.ModelError` for a missing model.
    """
    count = 0
    with VideoFileSource(video) as source, VisionPipeline(model_path) as pipeline:
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
