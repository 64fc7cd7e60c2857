"""What every streamed multipart upload shares: collecting each part's headers and reading
its ``Content-Disposition`` name and file name, as python-multipart's callbacks deliver them,
and knowing whether the body reached its closing boundary.

python-multipart's ``finalize()`` does not check that the message ended: a body cut off in the
middle of a file (a dropped connection behind a proxy that still closes the request cleanly)
would otherwise be kept as if whole. :meth:`PartHeaders.finish` refuses it."""

from __future__ import annotations

from typing import Any

from python_multipart.multipart import MultipartParser, parse_options_header

from app.errors import AppError

CALLBACKS = (
    "on_part_begin",
    "on_part_data",
    "on_part_end",
    "on_header_field",
    "on_header_value",
    "on_header_end",
    "on_headers_finished",
    "on_end",
)


class MultipartIncomplete(AppError):
    status = 422
    code = "multipart_incomplete"
    message = "上传内容不完整（缺少 multipart 结束边界），请重新上传"


class PartHeaders:
    """Callbacks that gather a part's headers; subclasses decide what a part's data is for."""

    def __init__(self) -> None:
        self.header_field = b""
        self.header_value = b""
        self.headers: dict[bytes, bytes] = {}
        self.ended = False

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        self.headers[self.header_field.lower()] = self.header_value
        self.header_field = b""
        self.header_value = b""

    def on_end(self) -> None:
        """The closing boundary (``--boundary--``) was read."""
        self.ended = True

    def disposition(self) -> dict[bytes, bytes]:
        """The current part's ``Content-Disposition`` options (``name``, ``filename``)."""
        _, options = parse_options_header(self.headers.get(b"content-disposition", b""))
        return options

    def parser(self, boundary: bytes) -> MultipartParser:
        """A parser for ``boundary`` calling this object's callbacks."""
        callbacks: Any = {name: getattr(self, name) for name in CALLBACKS if hasattr(self, name)}
        return MultipartParser(boundary, callbacks)

    def finish(self, parser: MultipartParser) -> None:
        """End of the request body: :class:`MultipartIncomplete` unless the message ended."""
        parser.finalize()
        if not self.ended:
            raise MultipartIncomplete()
