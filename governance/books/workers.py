"""Which worker process renders a job, and whether that process is still there.

A worker is named `host:pid:start`, `start` being the process's start time in
clock ticks since boot (/proc/<pid>/stat), so that a new process that happens to
get the same pid is not taken for the old one. Only processes on this machine can
be checked; a job of a worker elsewhere is judged by its task and its age."""

import logging
import multiprocessing
import os
import socket
import sys
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS
from django.db.backends.signals import connection_created

logger = logging.getLogger(__name__)


def current() -> str:
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_start_time(pid) or ''}"


def is_gone(worker: str) -> bool:
    """True when `worker` ran on this machine and that process has ended."""
    parts = worker.rsplit(":", 2)
    if len(parts) != 3 or parts[0] != socket.gethostname() or not parts[1].isdigit():
        return False
    pid, started = int(parts[1]), parts[2]
    if not started:  # recorded where there is no /proc: is any process there at all
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False
    now = _start_time(pid)
    return now is None or (now != UNREADABLE and now != started)


UNREADABLE = "?"


def _start_time(pid: int) -> str | None:
    """The process's start time, None when there is no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    except OSError:
        return UNREADABLE
    # Field 22 (starttime); the command name in field 2 may hold spaces and ")".
    return stat.rpartition(")")[2].split()[19]


# ─── At the start of `manage.py db_worker` ────────────────────────────────

def watch_worker_start():
    """In a `manage.py db_worker` process (not in its render processes), fail the jobs
    of vanished workers as soon as it first reaches the database, before it takes a
    task. Called from GovernanceConfig.ready(), where the database must not be used yet;
    the command itself belongs to django-tasks-db, which offers no start hook."""
    if sys.argv[1:2] != ["db_worker"] or multiprocessing.parent_process() is not None:
        return
    connection_created.connect(_first_connection, dispatch_uid="books-worker-start")


def _first_connection(sender, connection, **kwargs):
    if connection.alias != DEFAULT_DB_ALIAS:
        return
    connection_created.disconnect(dispatch_uid="books-worker-start")
    from governance.books.services import fail_vanished_jobs

    failed = fail_vanished_jobs()
    if failed:
        logger.warning("Worker start: %d PDF job(s) of a vanished worker marked failed", failed)
