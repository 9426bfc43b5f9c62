"""The compiled-charter cache: same answers, keyed by text, and a broken cache is only skipped."""

from __future__ import annotations

import pytest

import decisionrights as dr
from decisionrights.cache import CacheWarning

from helpers import EXAMPLES

ACME = (EXAMPLES / "acme-finance.charter").read_text()


def test_cached_load_gives_the_same_answers(tmp_path):
    first = dr.loads(ACME, "acme.charter", cache=tmp_path)
    [stored] = list(tmp_path.glob("*.pickle"))
    second = dr.loads(ACME, "acme.charter", cache=tmp_path)
    assert second.compiled is not first.compiled
    for amount in (1, 20_000, 40_000, 300_000, 2_000_000):
        for day in ("2026-06-01", "2027-01-15"):
            a = first.may("controller", "purchase", amount=amount, category="software", on=day)
            b = second.may("controller", "purchase", amount=amount, category="software", on=day)
            assert (a.allowed, a.reason, a.obligations, a.escalate_to) == \
                (b.allowed, b.reason, b.obligations, b.escalate_to)
    assert stored.exists()


def test_another_text_or_path_is_another_entry(tmp_path):
    dr.loads(ACME, "acme.charter", cache=tmp_path)
    dr.loads(ACME + "\n# changed\n", "acme.charter", cache=tmp_path)
    dr.loads(ACME, "other.charter", cache=tmp_path)
    assert len(list(tmp_path.glob("*.pickle"))) == 3


def test_a_corrupt_entry_is_recompiled(tmp_path):
    dr.loads(ACME, "acme.charter", cache=tmp_path)
    [stored] = list(tmp_path.glob("*.pickle"))
    stored.write_bytes(b"not a pickle")
    with pytest.warns(CacheWarning, match="not an entry of this format"):
        charter = dr.loads(ACME, "acme.charter", cache=tmp_path)
    assert charter.may("cfo", "purchase", amount=1, category="software")


def test_an_unusable_cache_folder_is_skipped(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.warns(CacheWarning, match="is not used"):
        charter = dr.loads(ACME, "acme.charter", cache=blocker / "cache")
    assert charter.may("cfo", "purchase", amount=1, category="software")


def test_errors_are_not_cached(tmp_path):
    import pytest

    with pytest.raises(dr.CharterError):
        dr.loads('charter "x"\nrole a\nb may decide d\n', cache=tmp_path)
    assert list(tmp_path.glob("*.pickle")) == []
