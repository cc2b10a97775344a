"""Slow clients against the control URL, small: every slow connection is cut off at the header timeout, unanswered,
while every good request sent meanwhile is answered by one HttpRequest event."""

from __future__ import annotations

from voxsim.tools.soak.slowloris import measure_slowloris


def test_slow_connections_are_cut_off_and_good_requests_are_served() -> None:
    report = measure_slowloris(connections=30, seconds=1.0, rps=20, header_timeout=0.4)
    assert report["slow_opened"] == report["slow_closed_by_server"] == 30 and report["slow_still_open"] == 0
    assert 0.35 < report["slow_close_s_p50"] <= report["slow_close_s_max"] < 0.9
    assert report["good_sent"] == report["good_answered"] == report["http_request_events"] == 20
    assert report["good_failures"] == []


def test_without_the_timeout_they_stay_open() -> None:
    report = measure_slowloris(connections=10, seconds=0.6, rps=10, header_timeout=3600)
    assert report["slow_still_open"] == 10 and report["slow_closed_by_server"] == 0
    assert report["good_answered"] == report["http_request_events"] == 6
