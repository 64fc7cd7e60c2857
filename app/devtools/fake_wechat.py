"""A fake WeChat server API on loopback, for fault tests and benchmarks: answers
``/cgi-bin/stable_token``, ``/cgi-bin/message/subscribe/send``, ``/wxa/msg_sec_check`` and
``/wxa/business/getuserphonenumber`` as WeChat does, and counts every subscribe message it
takes by ``touser`` and ``page``
(``GET /_sent`` → ``{"total", "by_message": {"<touser> <page>": n}}``).

``python -m app.devtools.fake_wechat PORT`` serves until killed; HTTP/1.1 with keep-alive over
plain asyncio streams, so the server is never the slow side of a measurement.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter
from typing import Any

sent: Counter[str] = Counter()


def _answer(method: str, path: str, body: bytes) -> dict[str, Any]:
    route = path.split("?", 1)[0]
    if route == "/cgi-bin/stable_token":
        return {"access_token": "fake-wechat-token", "expires_in": 7200}
    if route == "/cgi-bin/message/subscribe/send":
        message = json.loads(body or b"{}")
        sent[f"{message.get('touser')} {message.get('page')}"] += 1
        return {"errcode": 0, "errmsg": "ok", "msgid": sum(sent.values())}
    if route == "/wxa/business/getuserphonenumber":
        code = str(json.loads(body or b"{}").get("code") or "")
        number = f"139{sum(code.encode()) % 10**8:08d}"
        return {"errcode": 0, "errmsg": "ok", "phone_info": {"purePhoneNumber": number}}
    if route == "/wxa/msg_sec_check":
        return {"errcode": 0, "errmsg": "ok", "result": {"suggest": "pass", "label": 100}}
    if route == "/_sent" and method == "GET":
        return {"total": sum(sent.values()), "by_message": dict(sent)}
    return {"errcode": 40066, "errmsg": "invalid url"}


async def _serve_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path, _version = lines[0].split(" ", 2)
            headers = {
                k.strip().lower(): v.strip()
                for k, _, v in (line.partition(":") for line in lines[1:] if line)
            }
            length = int(headers.get("content-length") or 0)
            body = await reader.readexactly(length) if length else b""
            payload = json.dumps(_answer(method, path, body), ensure_ascii=False).encode()
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
                + f"Content-Length: {len(payload)}\r\n\r\n".encode()
                + payload
            )
            await writer.drain()
            if headers.get("connection", "").lower() == "close":
                break
    except (asyncio.IncompleteReadError, ConnectionError, ValueError):
        pass
    finally:
        writer.close()


async def serve(port: int) -> None:
    server = await asyncio.start_server(_serve_connection, "127.0.0.1", port)
    sys.stdout.write(f"ready {port}\n")  # the parent waits for this line
    sys.stdout.flush()
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1])))
