"""Beckon: turns a bedside patient's head gestures and short spoken requests into nurse calls.

Only intents leave the device: camera frames and audio are processed on the bedside tablet.
"""

__version__ = "0.1.0"
