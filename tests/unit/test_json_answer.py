"""ruby_wallet.routes._common.JSONAnswer: the database's JSON text sent as it is, with the headers
Litestar's own Response would send; a route that adds headers or cookies gets them too (then the
answer is Litestar's own)."""

from __future__ import annotations

from litestar import Litestar, get
from litestar.datastructures import Cookie, ResponseHeader
from litestar.testing import TestClient

from ruby_wallet.routes._common import JSONAnswer

BODY = b'{"b": 1, "a": [2, 3]}'


@get("/plain", sync_to_thread=False)
def plain() -> JSONAnswer:
    return JSONAnswer(BODY, 201)


@get("/with-header", response_headers=[ResponseHeader(name="x-extra", value="yes")], sync_to_thread=False)
def with_header() -> JSONAnswer:
    return JSONAnswer(BODY)


@get("/with-cookie", sync_to_thread=False)
def with_cookie() -> JSONAnswer:
    answer = JSONAnswer(BODY)
    answer.set_cookie(Cookie(key="c", value="v"))
    return answer


def test_the_text_is_the_body_with_the_two_headers():
    with TestClient(Litestar([plain])) as client:
        response = client.get("/plain")
    assert response.status_code == 201
    assert response.content == BODY
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-length"] == str(len(BODY))
    assert sorted(response.headers) == ["content-length", "content-type"]


def test_a_route_that_adds_a_header_sends_it():
    with TestClient(Litestar([with_header])) as client:
        response = client.get("/with-header")
    assert (response.status_code, response.content) == (200, BODY)
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-extra"] == "yes"


def test_an_answer_with_a_cookie_sends_it():
    with TestClient(Litestar([with_cookie])) as client:
        response = client.get("/with-cookie")
    assert (response.status_code, response.content) == (200, BODY)
    assert response.cookies["c"] == "v"
