"""Shared test configuration: where ../shared is, and skipping tests that need it when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The project's ../shared folder; tests that need it skip on a user's machine, where it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared is absent (it exists only beside the CI clone)")
    return SHARED
