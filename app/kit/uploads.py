"""Uploads: streamed to disk with the size cap enforced as bytes arrive, typed by content (magic
bytes, never the declared type or name). Shared by application attachments and visit photos.

The upload is read straight from the request stream (no spooling of the whole body first), and
no database transaction is held open while a slow client sends it.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from python_multipart.multipart import parse_options_header
from starlette.requests import ClientDisconnect, Request

from app.config import get_settings
from app.errors import AppError
from app.kit.multipart import PartHeaders

MAX_BYTES = 10 * 1024 * 1024
# Multipart framing around the file: boundaries and part headers.
ENVELOPE_ALLOWANCE = 64 * 1024

SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)
SNIFF_BYTES = 8
# RFC 2046: 1 to 70 characters (the parser refuses past 256, before any file is opened).
MAX_BOUNDARY = 70


class UploadTooLarge(AppError):
    status = 413
    code = "file_too_large"
    message = "文件不能超过 10 MB"


class UnsupportedFileType(AppError):
    status = 415
    code = "unsupported_file_type"
    message = "只接受 JPEG、PNG 或 PDF 文件"


class BadUpload(AppError):
    status = 422
    code = "invalid_upload"
    message = "请以 multipart/form-data 上传字段 file"


DOCUMENTS = frozenset(content_type for _, content_type in SIGNATURES)
IMAGES = frozenset({"image/jpeg", "image/png"})


def sniff(head: bytes, accepted: frozenset[str] = DOCUMENTS) -> str | None:
    """The type the file's first bytes show, if it is one of ``accepted``."""
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type if content_type in accepted else None
    return None


def upload_dir() -> Path:
    directory = get_settings().upload_dir
    assert directory is not None
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def stored_path(storage_name: str) -> Path:
    return upload_dir() / storage_name


@dataclass
class ReceivedFile:
    path: Path
    size: int = 0
    content_type: str | None = None
    sha256: str = ""
    _digest: hashlib._Hash = field(default_factory=hashlib.sha256)

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


class _FilePart(PartHeaders):
    """Collects the ``file`` part of a multipart body into a file, counting bytes."""

    def __init__(self, target: ReceivedFile) -> None:
        super().__init__()
        self.target = target
        self.handle = target.path.open("wb")
        self.in_file = False
        self.seen_file = False
        self.head = b""
        self.error: AppError | None = None

    def on_part_begin(self) -> None:
        self.headers = {}
        self.in_file = False

    def on_headers_finished(self) -> None:
        options = self.disposition()
        if options.get(b"name") == b"file" and not self.seen_file:
            self.in_file = True
            self.seen_file = True

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if not self.in_file or self.error is not None:
            return
        chunk = data[start:end]
        self.target.size += len(chunk)
        if self.target.size > MAX_BYTES:
            self.error = UploadTooLarge()
            return
        if len(self.head) < SNIFF_BYTES:
            self.head += chunk[: SNIFF_BYTES - len(self.head)]
        self.target._digest.update(chunk)
        self.handle.write(chunk)

    def on_part_end(self) -> None:
        self.in_file = False


async def receive_file(
    request: Request,
    accepted: frozenset[str] = DOCUMENTS,
    unsupported: str = UnsupportedFileType.message,
) -> ReceivedFile:
    """Stream the ``file`` field to a new file with a random name; 413, 415 (a type not in
    ``accepted``, said with ``unsupported``) or 422 on bad input."""
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary or len(boundary) > MAX_BOUNDARY:
        raise BadUpload()
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BYTES + ENVELOPE_ALLOWANCE:
        raise UploadTooLarge()
    target = ReceivedFile(path=upload_dir() / f"{secrets.token_hex(16)}.part")
    part = _FilePart(target)
    parser = part.parser(boundary)
    try:
        async for chunk in request.stream():
            parser.write(chunk)
            if part.error is not None:
                raise part.error
            if (
                part.seen_file
                and len(part.head) >= SNIFF_BYTES
                and sniff(part.head, accepted) is None
            ):
                raise UnsupportedFileType(unsupported)
        part.finish(parser)
        part.handle.close()
        if not part.seen_file or target.size == 0:
            raise BadUpload("缺少文件字段 file 或文件为空")
        target.content_type = sniff(part.head, accepted)
        if target.content_type is None:
            raise UnsupportedFileType(unsupported)
        target.sha256 = target._digest.hexdigest()
        return target
    except ClientDisconnect:
        part.handle.close()
        target.discard()
        raise BadUpload("上传中断") from None
    except AppError:
        part.handle.close()
        target.discard()
        raise
    except Exception as exc:  # the multipart parser's own errors on a malformed body
        part.handle.close()
        target.discard()
        raise BadUpload("multipart 格式错误") from exc


def keep(received: ReceivedFile) -> str:
    """Give the received file its final random name; returns the storage name."""
    storage_name = secrets.token_hex(24)
    os.replace(received.path, stored_path(storage_name))
    return storage_name
