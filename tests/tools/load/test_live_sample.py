"""The worker's live p99 (a display): nearest-rank quantile of the newest ticks of a rotating sample of calls."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from voxsim.tools.load.worker import _nearest_rank


def test_nearest_rank_picks_the_value_at_the_rank() -> None:
    assert _nearest_rank([float(v) for v in range(1, 101)], 0.99) == 99.0
    assert _nearest_rank([7.0], 0.99) == 7.0
    assert _nearest_rank([3.0, 1.0, 2.0], 0.5) == 2.0


@given(st.lists(st.floats(min_value=0, max_value=1, allow_nan=False), min_size=1, max_size=600))
def test_nearest_rank_is_numpys_inverted_cdf_percentile(values: list[float]) -> None:
    assert _nearest_rank(values, 0.99) == float(np.percentile(values, 99, method="inverted_cdf"))
