"""Tools, not the product: benchmarks, synthetic footage and speech, training, screenshots, demo.

Nothing here runs on a bedside tablet or a station server in normal operation. The runtime
packages (``vision``, ``voice``, ``messaging``, ``station``, ``bedside``, ``ui``) never import
from ``beckon.lab``; ``tests/test_layering.py`` checks that rule. The CLI reaches these tools
through lazy imports (``beckon demo``, ``beckon bench ...``).
"""
