"""Ruby Wallet: the single money writer of a betting and casino platform, PostgreSQL-first.

Money rules live in PL/pgSQL functions (procedures/); this package migrates the database,
runs a local PostgreSQL for development, and serves the thin HTTP API that calls them.
"""

__version__ = "0.1.0"
