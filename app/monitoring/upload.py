"""An import upload, streamed from the request to a file with a random name: the size cap
(``JIUZHU_IMPORT_MAX_MB``) is enforced as bytes arrive and the SHA-256 computed on the way, so
memory does not grow with the file and an oversized file is never kept."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from python_multipart.multipart import parse_options_header
from starlette.requests import ClientDisconnect, Request

from app.config import get_settings
from app.errors import AppError
from app.kit.multipart import PartHeaders
from app.monitoring.errors import BadImportUpload, ImportTooLarge

MAX_BOUNDARY = 70
ENVELOPE_ALLOWANCE = 64 * 1024
MAX_FIELD = 200


def import_dir() -> Path:
    directory = get_settings().upload_dir
    assert directory is not None
    directory = directory / "imports"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def max_bytes() -> int:
    return get_settings().import_max_mb * 1024 * 1024


def too_large() -> ImportTooLarge:
    return ImportTooLarge(f"文件不能超过 {get_settings().import_max_mb} MB")


@dataclass
class ReceivedImport:
    path: Path
    filename: str = ""
    source: str = ""
    size: int = 0
    sha256: str = ""
    digest: hashlib._Hash = field(default_factory=hashlib.sha256)

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


def clean_filename(name: str) -> str:
    """The file's own name, kept for people to read: no directories, no control characters
    (PostgreSQL refuses NUL), at most 200 characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(c for c in name if c.isprintable())[:200]


def new_path() -> Path:
    return import_dir() / secrets.token_hex(16)


class _Parts(PartHeaders):
    """Collects the ``file`` part into the target file and the small ``source`` field."""

    def __init__(self, target: ReceivedImport) -> None:
        super().__init__()
        self.target = target
        self.limit = max_bytes()
        self.handle = target.path.open("wb")
        self.current: str | None = None
        self.seen_file = False
        self.source = b""
        self.error: AppError | None = None

    def on_part_begin(self) -> None:
        self.headers = {}
        self.current = None

    def on_headers_finished(self) -> None:
        options = self.disposition()
        name = options.get(b"name")
        if name == b"file" and not self.seen_file:
            self.current = "file"
            self.seen_file = True
            filename = options.get(b"filename", b"").decode(errors="replace")
            self.target.filename = clean_filename(filename)
        elif name == b"source":
            self.current = "source"

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.error is not None:
            return
        chunk = data[start:end]
        if self.current == "source":
            self.source += chunk
            if len(self.source) > MAX_FIELD:
                self.error = BadImportUpload("source 字段过长")
        elif self.current == "file":
            self.target.size += len(chunk)
            if self.target.size > self.limit:
                self.error = too_large()
                return
            self.target.digest.update(chunk)
            self.handle.write(chunk)

    def on_part_end(self) -> None:
        self.current = None


async def receive_import(request: Request) -> ReceivedImport:
    """Stream the multipart fields ``source`` and ``file``; 413 past the cap, nothing kept."""
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary or len(boundary) > MAX_BOUNDARY:
        raise BadImportUpload()
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes() + ENVELOPE_ALLOWANCE:
        raise too_large()
    target = ReceivedImport(path=new_path())
    parts = _Parts(target)
    parser = parts.parser(boundary)
    try:
        async for chunk in request.stream():
            parser.write(chunk)
            if parts.error is not None:
                raise parts.error
        parts.finish(parser)
        parts.handle.close()
        if not parts.seen_file:
            raise BadImportUpload("缺少文件字段 file")
        target.source = parts.source.decode(errors="replace").strip()
        target.sha256 = target.digest.hexdigest()
        return target
    except ClientDisconnect:
        parts.handle.close()
        target.discard()
        raise BadImportUpload("上传中断") from None
    except AppError:
        parts.handle.close()
        target.discard()
        raise
    except Exception as exc:  # the multipart parser's own errors on a malformed body
        parts.handle.close()
        target.discard()
        raise BadImportUpload("multipart 格式错误") from exc
