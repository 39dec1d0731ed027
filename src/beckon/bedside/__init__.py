"""bedside."""
