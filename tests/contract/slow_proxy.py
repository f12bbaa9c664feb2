"""A loopback TCP proxy that holds the next bulk-create request for a while before passing it on.

It stands for a slow proxy between Cabinet and the service: the request left the client, and
lands at the server seconds later — even when the client died meanwhile (the bytes are in the
proxy's hands). ``hold_next(seconds)`` arms it; ``holding`` is set while a request is held and
``landed`` once it was passed on.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from urllib.parse import urlsplit, urlunsplit

_MARK = b"/bulk HTTP/1."


class SlowProxy:
    def __init__(self, upstream_url: str) -> None:
        parts = urlsplit(upstream_url)
        self._upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._parts = parts
        self._hold = 0.0
        self.holding = threading.Event()
        self.landed = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.port = 0

    # -- life cycle ------------------------------------------------------------------------
    def start(self) -> SlowProxy:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the proxy did not start within 10 s")
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def __enter__(self) -> SlowProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The upstream URL with the proxy's address in its place."""
        return urlunsplit(self._parts._replace(netloc=f"127.0.0.1:{self.port}"))

    def hold_next(self, seconds: float) -> None:
        self._hold = seconds

    # -- the proxy -------------------------------------------------------------------------
    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._client, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            server.close()
            self._loop.close()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._upstream)
        except OSError:
            writer.close()
            return
        back = asyncio.ensure_future(self._pump(up_reader, writer))
        try:
            while data := await reader.read(65536):
                if self._hold and _MARK in data:
                    hold, self._hold = self._hold, 0.0
                    self.holding.set()
                    await asyncio.sleep(hold)
                    up_writer.write(data)
                    # the rest of the request (its body) follows, whether or not the client still lives
                    with contextlib.suppress(OSError, TimeoutError):
                        more = await asyncio.wait_for(reader.read(65536), 0.2)
                        up_writer.write(more)
                    await up_writer.drain()
                    self.landed.set()
                    continue
                up_writer.write(data)
                await up_writer.drain()
        except (OSError, TimeoutError):
            pass
        # Let the server finish what it was handed before the connection goes.
        with contextlib.suppress(TimeoutError, OSError):
            await asyncio.wait_for(back, 10)
        with contextlib.suppress(OSError):
            up_writer.close()
            writer.close()

    @staticmethod
    async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError):
            while data := await reader.read(65536):
                writer.write(data)
                with contextlib.suppress(OSError):
                    await writer.drain()
