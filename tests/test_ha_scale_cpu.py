"""ha_scale's CPU figures: user and system apart, and per kind of thread."""

from __future__ import annotations

import os

from benchmarks import ha_scale


def test_thread_kinds_drop_the_numbers() -> None:
    assert ha_scale.thread_kind("SyncWorker_12", main=False) == "SyncWorker"
    assert ha_scale.thread_kind("Recorder", main=False) == "Recorder"
    assert ha_scale.thread_kind("python3", main=True) == "main (event loop)"


def test_cpu_lines_split_user_system_and_threads() -> None:
    before = ha_scale.Sample(1.0, 0.5, 100.0, 0.0, {"main (event loop)": 1.2, "Recorder": 0.3})
    after = ha_scale.Sample(3.0, 1.0, 100.0, 100.0, {"main (event loop)": 3.0, "Recorder": 1.0})
    lines = ha_scale.cpu_lines(before, after)
    assert "2.50 % of one core" in lines[0]
    assert lines[1].split() == ["user", "2.00", "%,", "system", "0.50", "%"]
    assert lines[2].split() == ["thread", "main", "(event", "loop)", "1.80", "%"]
    assert lines[3].split() == ["thread", "Recorder", "0.70", "%"]


def test_this_process_can_be_sampled() -> None:
    sample = ha_scale.sample(os.getpid())
    assert sample.cpu == sample.user + sample.system > 0
    assert "main (event loop)" in sample.threads
