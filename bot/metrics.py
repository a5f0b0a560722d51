"""Small in-process measurements for ``/admin stats``: latencies since start, uptime.

Nothing here knows about Discord. A ``LatencyRecorder`` keeps a bounded window of the most
recent durations, so memory stays constant however long the bot runs, and reports
percentiles over that window plus a count over the whole run.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

DEFAULT_WINDOW = 2048


@dataclass(frozen=True, slots=True)
class LatencySummary:
    """Percentiles (seconds) over the recent window; ``count`` covers the whole run."""

    count: int
    window: int
    p50: float | None
    p95: float | None
    worst: float | None


def percentile(sorted_values: list[float], share: float) -> float | None:
    """The nearest-rank percentile (``share`` in 0..1) of already sorted values."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(share * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


class LatencyRecorder:
    """Durations of one kind of operation (e.g. searches), safe to feed from threads."""

    def __init__(
        self, window: int = DEFAULT_WINDOW, clock: Callable[[], float] = time.perf_counter
    ) -> None:
        if window < 1:
            raise ValueError("window must be at least 1")
        self._recent: deque[float] = deque(maxlen=window)
        self._count = 0
        self._clock = clock
        self._lock = threading.Lock()

    def record(self, seconds: float) -> None:
        """Add one duration (negative values, from a clock going backwards, count as 0)."""
        with self._lock:
            self._recent.append(max(0.0, float(seconds)))
            self._count += 1

    @contextmanager
    def measure(self) -> Iterator[None]:
        """Time the ``with`` block and record it, also when it raises."""
        started = self._clock()
        try:
            yield
        finally:
            self.record(self._clock() - started)

    def summary(self) -> LatencySummary:
        """p50, p95 and the worst of the recent window, and how many were recorded."""
        with self._lock:
            values = sorted(self._recent)
            count = self._count
        return LatencySummary(
            count=count,
            window=len(values),
            p50=percentile(values, 0.50),
            p95=percentile(values, 0.95),
            worst=values[-1] if values else None,
        )
