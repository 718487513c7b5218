"""The single-node crash tests (tests/crash/test_crash_safety.py) on the Citus cluster: the same
stream of money commands over HTTP from several client threads, with the same checks afterwards
(every command applied exactly once, every answer the crash-free one, replays answered the same,
reconciliation clean).  The API server runs on the coordinator; in the middle of the stream it
is killed with SIGKILL (as on one node), or a worker — where the players' money lives and the
forwarded commands run — is restarted in immediate mode."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.crash.test_crash_safety import (
    PLAYERS,
    restarts_mid_stream,
    server,
    stream,
    test_kill9_server_mid_stream,
)
from tests.support.servers import CrashableCluster

__all__ = ["server", "stream", "test_kill9_server_mid_stream"]


@dataclass
class Coordinator:
    """What the crash module's fixtures need of a cluster: the owner's and the API's URLs."""

    url: str
    api_url: str


@pytest.fixture
def cluster(citus) -> Coordinator:
    return Coordinator(citus.url, citus.cluster.coordinator.api_url())


@pytest.fixture
def players(request) -> list[str]:
    """Players of this test alone: the tier has one database."""
    return [f"crash-{request.node.name.split('_')[1]}-{n}" for n in range(PLAYERS)]


@pytest.fixture
def workers(citus) -> Iterator[list[CrashableCluster]]:
    yield [CrashableCluster.running(node) for node in citus.cluster.workers]


def test_worker_immediate_restart_mid_stream(citus, cluster, server, stream, workers):
    """Each worker is restarted with `pg_ctl restart -m immediate` once while commands are in
    flight; the server and the coordinator stay up, and the calls forwarded to the worker that
    went down fail and are sent again."""
    restarts = [worker.restart_immediate for worker in workers]
    restarts_mid_stream(stream, server, cluster.url, restarts, "Citus worker restart -m immediate")
