"""A real SQLite write lock held by another connection, as another process holds it."""

import sqlite3
from contextlib import contextmanager

import pytest
from django.db import connection


@contextmanager
def write_lock_held(busy_timeout: float = 1):
    """Hold the database's write lock (BEGIN IMMEDIATE in a second connection) while the
    block runs, with the application's busy timeout cut to ``busy_timeout`` seconds."""
    if connection.vendor != "sqlite":
        pytest.skip("the write lock of another process is SQLite's")
    options = connection.settings_dict["OPTIONS"]
    saved = options.get("timeout")
    connection.close()
    options["timeout"] = busy_timeout
    holder = sqlite3.connect(connection.settings_dict["NAME"], timeout=0, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        connection.close()
        options["timeout"] = saved
