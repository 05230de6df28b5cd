"""Alembic migrations of the corpus store (run with ``narrascope db upgrade``)."""
