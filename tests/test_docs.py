"""API documentation works offline: Swagger UI and ReDoc load their assets from this server,
never a CDN; in production the documentation is off unless configured."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest


async def _client(**settings: object) -> AsyncIterator[httpx.AsyncClient]:
    from app import main
    from app.config import get_settings

    configured = get_settings().model_copy(update=settings)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(main, "get_settings", lambda: configured)
        app = main.create_app()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as http:
        yield http


@pytest.fixture
async def root() -> AsyncIterator[httpx.AsyncClient]:
    async for http in _client():
        yield http


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_documentation_pages_load_everything_from_this_server(
    root: httpx.AsyncClient, page: str
) -> None:
    html = await root.get(page)
    assert html.status_code == 200
    assert "cdn" not in html.text.lower()
    assert "fonts.googleapis" not in html.text
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html.text)
    assets += re.findall(r"""url:\s*['"]([^'"]+)['"]""", html.text)
    assert assets, html.text
    for asset in assets:
        assert asset.startswith("/"), f"{asset} is not served by the API itself"
        fetched = await root.get(asset)
        assert fetched.status_code == 200, asset
        assert len(fetched.content) > 1000 or asset.endswith(".json"), asset


async def test_swagger_ui_bundle_is_the_real_script(root: httpx.AsyncClient) -> None:
    script = await root.get("/docs/static/swagger-ui-bundle.js")
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]
    assert "SwaggerUIBundle" in script.text


async def test_production_serves_no_documentation_unless_configured() -> None:
    from app.config import Environment

    async for http in _client(env=Environment.production, docs_enabled=None):
        for path in ("/docs", "/redoc", "/openapi.json", "/docs/static/swagger-ui.css"):
            assert (await http.get(path)).status_code == 404, path
    async for http in _client(env=Environment.production, docs_enabled=True):
        assert (await http.get("/docs")).status_code == 200
        assert (await http.get("/openapi.json")).status_code == 200


def test_readme_roles_table_lists_each_role_of_the_code_once() -> None:
    """The README's roles table is the one people read: each role of `scopes.py` once, and no
    role the code does not have."""
    import re
    from pathlib import Path

    from app.accounts.scopes import Role

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("## Roles", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([a-z_]+)`", section, flags=re.M)
    assert sorted(rows) == sorted(role.value for role in Role)
