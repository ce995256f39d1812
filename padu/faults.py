"""Crash points for the durability tests: ``PADU_FAULT=<point>`` kills the process there.

Only the test suite sets PADU_FAULT; it proves that a process killed at the worst moment
loses nothing. Without the variable a crash point does nothing.
"""

from __future__ import annotations

import os
import signal


def crash_point(name: str) -> None:
    """SIGKILL this process if PADU_FAULT names this point."""
    if os.environ.get("PADU_FAULT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
