"""How `serve` reads HTTP (ruby_wallet.http_protocol): the served methods through httptools, a
request with any other method handed with its connection to h11, and either way the answer the
application gives it, on a fresh connection, after other requests on a kept-alive one, and with the
request line split across reads.  Raw sockets through a real `ruby-wallet serve`, so the bytes on
the wire are the test's own."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import pytest

from tests.support.served import served_api


@pytest.fixture(scope="module")
def served(postgresql_proc) -> Iterator[tuple[str, int, str]]:
    with served_api(postgresql_proc, "protocol") as served:
        host, _, port = served.base_url.removeprefix("http://").partition(":")
        yield host, int(port), served.api_key


def _request(method: str, path: str, key: str, body: bytes = b"") -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: wallet\r\nAuthorization: Bearer {key}\r\n"
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


_UNREAD: dict[int, bytes] = {}  # by socket: bytes read past the answer taken (a pipelined one's)


def _answer(sock: socket.socket, *, head: bool = False) -> tuple[int, dict[str, str], bytes]:
    """The next HTTP/1.1 answer on the socket: status, headers (lower-cased names), body (none
    for a HEAD, whatever content-length says)."""
    data = _UNREAD.pop(id(sock), b"")
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"the connection closed before an answer: {data!r}"
        data += chunk
    head_text, _, rest = data.partition(b"\r\n\r\n")
    status_line, *lines = head_text.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    length = 0 if head else int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        assert chunk, "the connection closed inside an answer's body"
        rest += chunk
    _UNREAD[id(sock)] = rest[length:]
    return int(status_line.split()[1]), headers, rest[:length]


def _problem_code(answer: tuple[int, dict[str, str], bytes]) -> str:
    status, headers, body = answer
    assert headers["content-type"].startswith("application/problem+json"), answer
    problem = json.loads(body)
    assert problem["status"] == status
    return problem["code"]


ODD = ["BREW", "GETS", "M-SEARCH", "PROPFIND", "TRACE", "DELETE", "PATCH"]


@pytest.mark.parametrize("method", ODD)
def test_an_odd_method_on_a_fresh_connection_is_answered_405_problem(served, method):
    host, port, key = served
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(_request(method, "/v1/players/p1/balances", key))
        answer = _answer(sock)
        assert answer[0] == 405 and _problem_code(answer) == "METHOD_NOT_ALLOWED"
        # The connection stays usable (now read by h11): the next request is answered too.
        sock.sendall(_request("GET", "/healthz", key))
        assert _answer(sock)[0] == 200


@pytest.mark.parametrize("method", ODD)
def test_an_odd_method_after_served_requests_on_a_kept_alive_connection(served, method):
    host, port, key = served
    with socket.create_connection((host, port), timeout=10) as sock:
        for _ in range(3):
            sock.sendall(_request("GET", "/healthz", key))
            assert _answer(sock)[0] == 200
        sock.sendall(_request("POST", "/v1/accounts", key, b'{"player_id": "proto-1", "currency": 5}'))
        refused = _answer(sock)
        assert refused[0] == 422 and _problem_code(refused) == "VALIDATION_FAILED"
        sock.sendall(_request(method, "/v1/players/p1/balances", key))
        answer = _answer(sock)
        assert answer[0] == 405 and _problem_code(answer) == "METHOD_NOT_ALLOWED"


def test_a_request_line_split_across_reads_is_read_whole(served):
    host, port, key = served
    body = b'{"player_id": "proto-2", "currency": 5}'
    for first in (b"PO", b"POST", b"POST /v1/acc"):
        with socket.create_connection((host, port), timeout=10) as sock:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            whole = _request("POST", "/v1/accounts", key, body)
            sock.sendall(first)
            time.sleep(0.05)  # the server reads the first part on its own
            sock.sendall(whole[len(first) :])
            answer = _answer(sock)
            assert answer[0] == 422 and _problem_code(answer) == "VALIDATION_FAILED", (first, answer)


def test_the_served_methods_are_answered_on_one_connection(served):
    host, port, key = served
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(_request("GET", "/v1/players/nobody-here/balances", key))
        answer = _answer(sock)
        assert answer[0] == 404 and _problem_code(answer) == "UNKNOWN_ACCOUNT"
        sock.sendall(_request("HEAD", "/healthz", key))
        assert _answer(sock, head=True)[0] == 200
        sock.sendall(_request("OPTIONS", "/v1/bets", key))
        assert _answer(sock)[0] in (200, 204)


def test_an_odd_method_pipelined_behind_a_request_is_refused_after_its_answer(served):
    """Sent in one write behind a GET, an odd method cannot be handed to h11 (httptools has read
    past the GET already): the GET is answered first, then the odd request 400, then the
    connection closes."""
    host, port, key = served
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(_request("GET", "/v1/players/nobody-here/balances", key) + _request("BREW", "/healthz", key))
        first = _answer(sock)
        assert first[0] == 404 and _problem_code(first) == "UNKNOWN_ACCOUNT"
        assert _answer(sock)[0] == 400
        assert _UNREAD.pop(id(sock)) == b"" and sock.recv(65536) == b"", "the connection closes after the 400"
