"""MediaPipe's face pose, recomputed from landmarks for a picture of our choosing.

Why: when the face is found in a crop of the frame (:mod:`beckon.vision.smallface`), the
landmarks map back to the full frame exactly (a scale and a shift), but the transformation
matrix MediaPipe returns does not: its geometry pipeline places the face in a virtual
perspective camera (63 degrees vertical field of view) *of the picture it was given*, so the
same face in a crop reads up to 4 degrees of pitch and 1 degree of yaw and roll away from the
full frame (measured on the bench's 70 to 90 px faces). Head gestures are measured against
the patient's neutral pose, learned from full-frame matrices, so a crop's pose must come from
the same camera. This module repeats MediaPipe's published algorithm (the face geometry
pipeline of the Tasks FaceLandmarker: project the landmarks on the near plane, estimate the
scale with a weighted Procrustes fit to the canonical face, unproject, fit again) with the
canonical face and weights read from the model bundle itself, for any picture size. On a
full frame it reproduces MediaPipe's own matrix to float precision (tested).
"""

from __future__ import annotations

import math
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from beckon.errors import ModelError

FloatArray = npt.NDArray[np.float64]

METADATA_NAME = "geometry_pipeline_metadata_landmarks.binarypb"
"""The geometry pipeline's metadata inside ``face_landmarker.task`` (a zip)."""
VERTICAL_FOV_DEG = 63.0
NEAR = 1.0
"""The virtual camera of the Tasks FaceLandmarker (its environment: top-left origin)."""
VERTEX_SIZE = 5
"""Floats per canonical mesh vertex (x, y, z, u, v: MediaPipe's VERTEX_PT layout)."""


def _varint(data: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def _fields(data: bytes) -> list[tuple[int, int | bytes]]:
    """(field number, value) of a protobuf message: varints as int, the rest as bytes.

    The metadata is a tiny fixed message; reading its wire format directly spares a
    dependency on MediaPipe's generated protobuf classes, which its wheel does not ship.
    """
    out: list[tuple[int, int | bytes]] = []
    i = 0
    while i < len(data):
        key, i = _varint(data, i)
        field, wire = key >> 3, key & 7
        value: int | bytes
        if wire == 0:
            value, i = _varint(data, i)
        elif wire == 5:
            value, i = data[i : i + 4], i + 4
        elif wire == 1:
            value, i = data[i : i + 8], i + 8
        elif wire == 2:
            n, i = _varint(data, i)
            value, i = data[i : i + n], i + n
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        out.append((field, value))
    return out


def _floats(value: int | bytes) -> list[float]:
    """A float field: one fixed32, or a packed run of them."""
    if isinstance(value, int):
        raise ValueError("expected a float field")
    return list(struct.unpack(f"<{len(value) // 4}f", value))


@dataclass(frozen=True)
class CanonicalFace:
    """The canonical face (468 points, cm) and the Procrustes weights per landmark."""

    points: FloatArray  # (3, N)
    weights: FloatArray  # (N,)

    @classmethod
    def from_model(cls, model_path: str | Path) -> CanonicalFace:
        """Read the canonical face from ``face_landmarker.task``."""
        path = Path(model_path)
        try:
            with zipfile.ZipFile(path) as bundle:
                raw = bundle.read(METADATA_NAME)
        except (OSError, KeyError, zipfile.BadZipFile) as exc:
            raise ModelError(
                f"Cannot read the face geometry metadata from {path}: {exc}",
                "reinstall the face landmarker with `beckon models fetch`",
            ) from exc
        vertices: list[float] = []
        basis: list[tuple[int, float]] = []
        for field, value in _fields(raw):
            if field == 1 and isinstance(value, bytes):  # canonical_mesh
                for sub, v in _fields(value):
                    if sub == 3:  # vertex_buffer
                        vertices.extend(_floats(v))
            elif field == 2 and isinstance(value, bytes):  # procrustes_landmark_basis
                ref = dict(_fields(value))
                landmark = ref.get(1, 0)  # landmark 0 is the proto default: absent
                weight = _floats(ref.get(2, b"\0\0\0\0"))[0]
                basis.append((landmark if isinstance(landmark, int) else 0, weight))
        n = len(vertices) // VERTEX_SIZE
        if n == 0 or not basis:
            raise ModelError(
                f"The face geometry metadata in {path} has no canonical face",
                "reinstall the face landmarker with `beckon models fetch`",
            )
        mesh = np.asarray(vertices, dtype=np.float64).reshape(n, VERTEX_SIZE)
        weights = np.zeros(n)
        for landmark, weight in basis:
            weights[landmark] = weight
        return cls(np.ascontiguousarray(mesh[:, :3].T), weights)


def _procrustes(source: FloatArray, target: FloatArray, weights: FloatArray) -> FloatArray:
    """The 4x4 similarity (scale, rotation, translation) taking ``source`` onto ``target``
    (both (3, N)) with the least weighted squared error."""
    total = weights.sum()
    src_mean = (source * weights).sum(axis=1, keepdims=True) / total
    tgt_mean = (target * weights).sum(axis=1, keepdims=True) / total
    src = source - src_mean
    tgt = target - tgt_mean
    cross = (tgt * weights) @ src.T
    u, _, vt = np.linalg.svd(cross)
    d = np.sign(np.linalg.det(u @ vt)) or 1.0
    rotation = u @ np.diag([1.0, 1.0, d]) @ vt
    scale = float(((rotation @ src) * tgt * weights).sum() / ((src * src) * weights).sum())
    out = np.eye(4)
    out[:3, :3] = scale * rotation
    out[:3, 3] = (tgt_mean - scale * rotation @ src_mean)[:, 0]
    return out


def pose_matrix(
    landmarks: npt.ArrayLike, image_size: tuple[int, int], face: CanonicalFace
) -> FloatArray:
    """MediaPipe's 4x4 facial transformation matrix for normalised landmarks (x, y, z as the
    landmarker returns them, at least the canonical face's count) in a picture of
    ``image_size`` (width, height)."""
    width, height = image_size
    pts = np.asarray(landmarks, dtype=np.float64)[: face.points.shape[1], :3].T.copy()
    height_near = 2.0 * NEAR * math.tan(0.5 * math.radians(VERTICAL_FOV_DEG))
    width_near = width * height_near / height
    # Project on the near plane (top-left origin: y flips).
    pts[1] = 1.0 - pts[1]
    pts *= np.array([[width_near], [height_near], [width_near]])
    pts[0] -= 0.5 * width_near
    pts[1] -= 0.5 * height_near
    depth_offset = float(pts[2].mean())

    def unproject(scale: float) -> FloatArray:
        out = pts.copy()
        out[2] = (out[2] - depth_offset + NEAR) / scale
        out[0] = out[0] * out[2] / NEAR
        out[1] = out[1] * out[2] / NEAR
        out[2] *= -1.0  # screen space is left-handed, metric space right-handed
        return out

    def scale_of(target: FloatArray) -> float:
        m = _procrustes(face.points, target, face.weights)
        return float(np.linalg.norm(m[:3, 0]))

    flipped = pts.copy()
    flipped[2] *= -1.0
    first = scale_of(flipped)
    second = scale_of(unproject(first))
    return _procrustes(face.points, unproject(first * second), face.weights)
