"""What every streamed multipart upload shares: collecting each part's headers and reading
its ``Content-Disposition`` name and file name, as python-multipart's callbacks deliver them."""

from __future__ import annotations

from python_multipart.multipart import parse_options_header


class PartHeaders:
    """Callbacks that gather a part's headers; subclasses decide what a part's data is for."""

    def __init__(self) -> None:
        self.header_field = b""
        self.header_value = b""
        self.headers: dict[bytes, bytes] = {}

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        self.headers[self.header_field.lower()] = self.header_value
        self.header_field = b""
        self.header_value = b""

    def disposition(self) -> dict[bytes, bytes]:
        """The current part's ``Content-Disposition`` options (``name``, ``filename``)."""
        _, options = parse_options_header(self.headers.get(b"content-disposition", b""))
        return options
