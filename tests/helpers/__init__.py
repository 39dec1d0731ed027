"""Helpers shared by test modules (imported as ``tests.helpers.*``, never from a test module)."""
