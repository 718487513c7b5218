"""The casino aggregator adapter (SPEC §10): the Valkyrie PAM API served under /pam/valkyrie
(`ROUTER`), and the wallet routes that go with it (`WALLET_ROUTES`: game sessions, provider
configuration).  docs/casino.md is the operator's guide."""

from ruby_wallet.pam.routes import ROUTER
from ruby_wallet.pam.wallet_routes import ROUTES as WALLET_ROUTES

__all__ = ["ROUTER", "WALLET_ROUTES"]
