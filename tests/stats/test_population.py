"""Regions carry a resident population, read from the region CSV's optional column."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.regions.service import BUILTIN_CSV, RegionImportError, parse_regions_csv


def test_the_builtin_tree_gives_every_community_and_village_a_population() -> None:
    rows = parse_regions_csv(BUILTIN_CSV)
    leaves = [r for r in rows if r["level"] in ("community", "village")]
    assert leaves and all(isinstance(r["population"], int) for r in leaves)
    assert all(r["population"] is None for r in rows if r not in leaves)


def test_population_is_optional_and_checked(tmp_path: Path) -> None:
    plain = tmp_path / "plain.csv"
    plain.write_text("code,name,level,parent_code\n510115000000,温江区,district,\n")
    assert parse_regions_csv(plain)[0]["population"] is None
    given = tmp_path / "given.csv"
    given.write_text(
        'code,name,level,parent_code,population\n510115000000,温江区,district,,"967,868"\n'
    )
    assert parse_regions_csv(given)[0]["population"] == 967_868
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "code,name,level,parent_code,population\n510115000000,温江区,district,,约一百万\n"
    )
    with pytest.raises(RegionImportError, match="population"):
        parse_regions_csv(bad)
