"""Where camera frames come from: a live camera, a video file, or frames in memory.

Every source yields :class:`Frame` objects with RGB pixels (MediaPipe's order; OpenCV reads
BGR) and a time ``t`` in seconds from the start of the source. For files, ``t`` is the frame
index divided by the file's frame rate, so replaying a recording gives exact, repeatable
timestamps; for a camera it is the monotonic clock since the camera was opened.

Problems a person can fix (no camera, wrong file) raise :class:`beckon.errors.FrameSourceError`
naming the device or file and what to do.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import cv2
import numpy as np
import numpy.typing as npt

from beckon.closing import Closing
from beckon.errors import FrameSourceError

logger = logging.getLogger(__name__)

RGBImage = npt.NDArray[np.uint8]

DEFAULT_FPS = 30.0
"""Used when a video file does not say its frame rate."""


@dataclass(frozen=True, slots=True)
class Frame:
    """One RGB image (H x W x 3, uint8) taken ``t`` seconds after its source started."""

    index: int
    t: float
    rgb: RGBImage = field(repr=False)

    @property
    def width(self) -> int:
        """Width in pixels."""
        return int(self.rgb.shape[1])

    @property
    def height(self) -> int:
        """Height in pixels."""
        return int(self.rgb.shape[0])


@runtime_checkable
class FrameSource(Protocol):
    """An iterable of frames with a nominal frame rate that must be closed after use."""

    @property
    def fps(self) -> float:
        """Nominal frames per second."""
        ...

    def __iter__(self) -> Iterator[Frame]: ...

    def close(self) -> None:
        """Release the device or file; safe to call twice."""
        ...


def _check_rgb(image: npt.NDArray[np.generic], where: str) -> RGBImage:
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(
            f"{where}: expected an H x W x 3 uint8 RGB image, got {image.shape} {image.dtype}"
        )
    return np.ascontiguousarray(image)


def _bgr_to_rgb(bgr: npt.NDArray[Any]) -> RGBImage:
    """OpenCV decodes BGR; MediaPipe and the rest of Beckon use RGB."""
    return np.asarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)


class ArraySource(Closing):
    """Frames already in memory (synthetic clips, tests); ``t = index / fps``."""

    def __init__(self, frames: Iterable[npt.NDArray[np.uint8]], fps: float = DEFAULT_FPS) -> None:
        if fps <= 0:
            raise ValueError(f"fps must be positive, got {fps}")
        self._frames = frames
        self._fps = float(fps)

    @property
    def fps(self) -> float:
        """Nominal frames per second."""
        return self._fps

    def __iter__(self) -> Iterator[Frame]:
        for i, rgb in enumerate(self._frames):
            yield Frame(i, i / self._fps, _check_rgb(rgb, f"frame {i}"))


class VideoFileSource(Closing):
    """Frames of a video file, decoded with OpenCV; ``t = index / fps`` (exact and repeatable)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise FrameSourceError(
                f"{self.path} is a folder, not a video file", "give the path of the video itself"
            )
        if not self.path.is_file():
            raise FrameSourceError(
                f"Video file not found: {self.path}",
                "check the path and that the file exists",
            )
        self._cap = cv2.VideoCapture(str(self.path))
        if not self._cap.isOpened():
            self._cap.release()
            raise FrameSourceError(
                f"Cannot read video file {self.path}: OpenCV could not open it",
                "convert it to an MP4 (H.264 or MPEG-4) or AVI file and try again",
            )
        fps = float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0)
        if not math.isfinite(fps) or fps <= 0 or fps > 1000:
            logger.warning("%s does not state its frame rate; assuming %.0f fps", path, DEFAULT_FPS)
            fps = DEFAULT_FPS
        self._fps = fps
        self._closed = False

    @property
    def fps(self) -> float:
        """Frame rate stated by the file."""
        return self._fps

    def __iter__(self) -> Iterator[Frame]:
        if self._closed:
            raise FrameSourceError(f"Video file {self.path} is already closed")
        index = 0
        while True:
            ok, bgr = self._cap.read()
            if not ok or bgr is None:
                break
            yield Frame(index, index / self._fps, _bgr_to_rgb(bgr))
            index += 1
        if index == 0:
            raise FrameSourceError(
                f"Cannot read video file {self.path}: it has no decodable frames",
                "check the file is a complete video (not still being written) and try again",
            )

    def close(self) -> None:
        """Release the file."""
        if not self._closed:
            self._cap.release()
            self._closed = True


class CameraSource(Closing):
    """A live camera through OpenCV; ``t`` is seconds on the monotonic clock since opening.

    A camera that delivers no frame for ``stall_timeout_s`` (unplugged, taken by another
    program) raises :class:`FrameSourceError` instead of hanging the bedside silently.
    """

    def __init__(
        self,
        index: int,
        width: int = 640,
        height: int = 480,
        *,
        stall_timeout_s: float = 3.0,
    ) -> None:
        self.index = index
        self.stall_timeout_s = stall_timeout_s
        self._cap = _quietly_open(index)
        if not self._cap.isOpened():
            self._cap.release()
            raise FrameSourceError(
                f"Cannot open camera {index} (/dev/video{index})",
                "check the camera is connected and not in use by another program, "
                "or pass --video FILE",
            )
        self._cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        self._cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        fps = float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0)
        self._fps = fps if math.isfinite(fps) and 0 < fps <= 240 else DEFAULT_FPS
        self._t0 = time.monotonic()
        self._closed = False

    @property
    def fps(self) -> float:
        """Frame rate the camera reports (30 if it does not say)."""
        return self._fps

    def __iter__(self) -> Iterator[Frame]:
        index = 0
        last_ok = time.monotonic()
        while not self._closed:
            ok, bgr = self._cap.read()
            now = time.monotonic()
            if not ok or bgr is None:
                if now - last_ok > self.stall_timeout_s:
                    raise FrameSourceError(
                        f"Camera {self.index} stopped delivering frames "
                        f"(none for {self.stall_timeout_s:.0f} s)",
                        "check the camera cable and that no other program uses it, "
                        "or pass --video FILE",
                    )
                time.sleep(0.01)
                continue
            last_ok = now
            yield Frame(index, now - self._t0, _bgr_to_rgb(bgr))
            index += 1

    def close(self) -> None:
        """Release the camera so other programs can use it."""
        if not self._closed:
            self._cap.release()
            self._closed = True


class FilePacer:
    """Plays a video file at its own speed: frame ``t`` is let through ``t`` seconds after the
    first frame was (a window or the demo showing a recording).

    Only for files. A camera delivers in real time by itself, and its frame times count from
    when it was opened, before the face and hand models loaded: pacing a camera against a clock
    started after that would sleep the models' load time on every frame, a few frames a second
    on a kiosk tablet. ``clock`` and ``sleep`` are the real ones unless a test passes its own.
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._origin: float | None = None  # the clock's reading for t = 0

    def wait(self, t: float) -> float:
        """Sleep until frame time ``t`` is due; returns how long it slept."""
        now = self._clock()
        if self._origin is None:
            self._origin = now - t
        delay = self._origin + t - now
        if delay <= 0:
            return 0.0
        self._sleep(delay)
        return delay


def pacer_for(source: VideoFileSource | CameraSource) -> FilePacer | None:
    """A pacer when ``source`` is a video file, None for a camera (see :class:`FilePacer`)."""
    return FilePacer() if isinstance(source, VideoFileSource) else None


def camera_index(spec: str) -> int | None:
    """The camera a spec names: ``"N"`` or ``/dev/videoN`` (as udev names it) is camera N;
    anything else is not a camera (a video file path, or a wrong device)."""
    spec = spec.strip()
    number = spec.removeprefix("/dev/video")
    return int(number) if number.isdigit() else None


def _quietly_open(index: int) -> Any:
    """``cv2.VideoCapture(index)`` without OpenCV's own lines on stderr: a missing camera
    printed a dozen (V4L2, FFmpeg's exception, obsensor) at every retry, every 10 s, around
    the one clear error Beckon logs itself."""
    from cv2.utils import logging as cv_logging

    before = cv_logging.getLogLevel()
    cv_logging.setLogLevel(cv_logging.LOG_LEVEL_SILENT)
    try:
        return cv2.VideoCapture(index)
    finally:
        cv_logging.setLogLevel(before)


def open_source(spec: str) -> VideoFileSource | CameraSource:
    """A camera for a spec of digits (``"0"`` is /dev/video0) or ``/dev/videoN``, otherwise a
    video file path."""
    spec = spec.strip()
    if not spec:
        raise FrameSourceError(
            "No camera or video given", "pass a camera number such as 0, or a video file path"
        )
    index = camera_index(spec)
    if index is not None:
        return CameraSource(index)
    if spec.startswith("/dev/"):
        raise FrameSourceError(
            f"camera {spec!r} is not a /dev/videoN device",
            "give the camera's number (0 is /dev/video0) or /dev/videoN; "
            "`v4l2-ctl --list-devices` lists them",
        )
    return VideoFileSource(Path(spec))
