"""The casino aggregator adapter (SPEC §10): the Valkyrie PAM API served under /pam/valkyrie
(`ROUTER`).  The wallet routes that go with it (game sessions, provider configuration) follow
the wallet's own conventions and live with the others, in ruby_wallet.routes.casino.
docs/casino.md is the operator's guide."""

from ruby_wallet.pam.routes import ROUTER

__all__ = ["ROUTER"]
