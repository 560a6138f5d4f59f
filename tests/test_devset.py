"""Quality on the held-out synthetic dev set (tests/data/devset): a regression guard.

The floors sit a little under the figures measured when they were set, so that a
change that breaks a general rule fails here even if the sample corpus still scores."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import assert_scores_at_least, score_answer_keyed

pytestmark = pytest.mark.model
DEVSET = Path(__file__).resolve().parent / "data" / "devset"
FLOORS = {"entities": 0.96, "relations": 0.83, "claims": 0.87, "stance": 0.76}


def test_devset_quality(tmp_path):
    result = score_answer_keyed(DEVSET / "texts", DEVSET / "gold", tmp_path / "store")
    assert_scores_at_least(result, FLOORS)
