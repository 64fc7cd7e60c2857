"""The staff console (``console/``, a Vue single-page app built by Vite) served at ``/console``.

Files of the build are answered as they are (hashed assets cached for a year); any other path
under ``/console`` is a page of the app and gets ``index.html``, so deep links work. A server
whose console was never built answers 503 with a clear message, never a 500. Nothing here
touches ``/api``: unknown API paths stay JSON 404s.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, JSONResponse, Response

from app.config import get_settings

router = APIRouter(include_in_schema=False)
DEFAULT_DIST = Path(__file__).resolve().parents[1] / "console" / "dist"
IMMUTABLE = "public, max-age=31536000, immutable"


def dist_dir() -> Path:
    configured = get_settings().console_dir
    return (configured or DEFAULT_DIST).resolve()


def _not_built() -> JSONResponse:
    return JSONResponse(
        {
            "code": "console_not_built",
            "message": "工作台尚未构建：请在项目目录运行 make console 后重试",
        },
        status_code=503,
        headers={"Retry-After": "60"},
    )


@router.get("/console", response_model=None)
@router.get("/console/{path:path}", response_model=None)
async def console(path: str = "") -> Response:
    """A file of the console's build, or its ``index.html`` for a page of the app."""
    root = dist_dir()
    index = root / "index.html"
    if not index.is_file():
        return _not_built()
    target = (root / path).resolve() if path else index
    if path and target.is_relative_to(root) and target.is_file():
        cache = IMMUTABLE if path.startswith("assets/") else "no-cache"
        return FileResponse(target, headers={"Cache-Control": cache})
    if path.startswith("assets/") or (path and "." in path.rsplit("/", 1)[-1]):
        return JSONResponse({"code": "not_found", "message": "文件不存在"}, status_code=404)
    return FileResponse(index, headers={"Cache-Control": "no-cache"})
