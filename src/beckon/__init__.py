"""Beckon: turns a bedside patient's head gestures and short spoken requests into nurse calls.

Only intents leave the device: camera frames and audio are processed on the bedside tablet.
"""

import os

# ONNX Runtime (1.29 and later) sends telemetry from Linux too, from a thread it starts when it
# is imported (Silero VAD, the voice verifiers and the gesture model all load it). Set before
# that import, ORT_DISABLE_TELEMETRY=1 stops it entirely: nothing but intents may leave the
# tablet. That thread also calls the C library's rand() every few seconds, which would take
# numbers from Vosk's seeded dither mid-utterance (beckon.voice.dither).
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

__version__ = "0.1.0"
