"""A job that takes its time, to be killed mid-run by the worker-recovery test."""

import os
import time


def record_and_sleep(marker_path: str, seconds: float) -> None:
    """Append this run's process id to the marker, then sleep."""
    with open(marker_path, "a") as marker:
        marker.write(f"run {os.getpid()}\n")
    time.sleep(seconds)
