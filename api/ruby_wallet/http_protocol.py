"""How `serve` reads HTTP/1.1: httptools (llhttp, in C) for the methods the wallet serves, h11 for
a connection whose request starts with any other.

httptools parses a request for about a third of the instructions h11 does (docs/benchmarks.md,
"Twelfth session"), but llhttp refuses a method it does not know (BREW) with a bare 400 and
closes the connection, where h11 hands the request to the application, which answers it 405
problem+json like every other refusal (tests/fuzz/test_fuzz_api.py, ODD_METHODS).  So each
request that starts a connection's exchange afresh (nothing of it read yet, no answer still
being written) is looked at first: one that begins with a method the wallet serves stays with
httptools; any other hands the connection, with the bytes read so far, to uvicorn's h11
protocol, which serves it from then on, the way uvicorn hands a connection to its WebSocket
protocol.  A request pipelined behind one still being answered is left to httptools: an odd
method there is refused 400 with the connection closed, as uvicorn's own httptools protocol
refuses any request it cannot parse, but only once the requests before it are answered (uvicorn
would send the 400 at once, ahead of their answers, which the client then takes for the first
request's answer).
"""

from __future__ import annotations

from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# The request lines httptools is given: the methods the wallet's routes and Litestar answer
# (OPTIONS for CORS preflights; PUT for the admin routes), each with the space that ends it.
SERVED_METHODS = (b"GET ", b"POST ", b"PUT ", b"HEAD ", b"OPTIONS ")


class WalletHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, handing a connection to h11 when a request starts with a
    method it is not given (SERVED_METHODS)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._between_requests = True
        self._refusal: str | None = None  # a 400 waiting for the answers before it

    def on_message_begin(self) -> None:
        self._between_requests = False
        super().on_message_begin()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._between_requests = True

    def data_received(self, data: bytes) -> None:
        if self._refusal is not None:
            return  # the connection closes after its answers: nothing more of it is read
        if self._between_requests and not data.startswith(SERVED_METHODS) and self._idle():
            self._hand_over_to_h11(data)
            return
        super().data_received(data)

    def send_400_response(self, msg: str) -> None:
        if self._idle():
            super().send_400_response(msg)
            return
        self._refusal = msg
        self.flow.pause_reading()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self._refusal is not None and self._idle() and not self.transport.is_closing():
            super().send_400_response(self._refusal)

    def _idle(self) -> bool:
        """No request of the connection being answered or waiting to be."""
        return (self.cycle is None or self.cycle.response_complete) and not self.pipeline

    def _hand_over_to_h11(self, data: bytes) -> None:
        self._unset_keepalive_if_required()
        self.connections.discard(self)
        protocol = H11Protocol(
            config=self.config, server_state=self.server_state, app_state=self.app_state, _loop=self.loop
        )
        protocol.connection_made(self.transport)
        self.transport.set_protocol(protocol)
        protocol.data_received(data)
