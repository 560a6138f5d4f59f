"""Quality on the held-out synthetic dev set (tests/data/devset): a regression guard.

The floors sit a little under the figures measured when they were set, so that a
change that breaks a general rule fails here even if the sample corpus still scores."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import score_answer_keyed

pytestmark = pytest.mark.model
DEVSET = Path(__file__).resolve().parent / "data" / "devset"
FLOORS = {"entities": 0.96, "relations": 0.83, "claims": 0.87, "stance": 0.76}


def test_devset_quality(tmp_path):
    result = score_answer_keyed(DEVSET / "texts", DEVSET / "gold", tmp_path / "store")
    assert result.entities.prf[2] >= FLOORS["entities"], result.summary()
    assert result.relations.prf[2] >= FLOORS["relations"], result.summary()
    assert result.claims.prf[2] >= FLOORS["claims"], result.summary()
    assert result.stance_accuracy >= FLOORS["stance"], result.summary()
    assert result.evidence_fidelity == 1.0 and result.identity == 1.0
