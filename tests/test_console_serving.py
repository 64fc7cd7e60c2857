"""``/console`` without a build: a clear 503, never a 500; the API is untouched."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from app import console


async def test_an_unbuilt_console_answers_503_in_chinese(
    client: httpx.AsyncClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(console, "dist_dir", lambda: tmp_path)
    for path in ("/console", "/console/", "/console/queue", "/console/assets/app.js"):
        response = await client.get(f"http://test{path}", follow_redirects=False)
        assert response.status_code == 503, path
        assert response.json()["code"] == "console_not_built"
        assert "make console" in response.json()["message"]


async def test_a_build_is_served_with_deep_links_and_no_escape(
    client: httpx.AsyncClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text('<div id="app"></div>')
    (tmp_path / "assets" / "app-1234.js").write_text("console.log(1)")
    (tmp_path.parent / "secret.txt").write_text("secret")
    monkeypatch.setattr(console, "dist_dir", lambda: tmp_path)
    page = await client.get("http://test/console/registry/42")
    assert page.status_code == 200 and 'id="app"' in page.text
    asset = await client.get("http://test/console/assets/app-1234.js")
    assert asset.status_code == 200 and "immutable" in asset.headers["cache-control"]
    assert (await client.get("http://test/console/assets/gone.js")).status_code == 404
    escape = await client.get("http://test/console/..%2Fsecret.txt")
    assert escape.status_code in (200, 404) and "secret" not in escape.text
