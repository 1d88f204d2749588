"""A private throw-away PostgreSQL cluster for the session, and a fresh database for each test.

``initdb`` and ``pg_ctl`` from PATH (PostgreSQL 15 on these machines) make a
cluster in a temporary folder that listens only on a Unix socket there; as
root they run as the ``postgres`` system user (initdb refuses root). Without
the binaries or psycopg the tests skip, saying why.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

_counter = itertools.count(1)


def _as_server_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("PostgreSQL tests: running as root and there is no 'postgres' user to run initdb as")
    return ["runuser", "-u", "postgres", "--"]


def _binaries() -> tuple[str, str]:
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.skip("PostgreSQL tests: initdb/pg_ctl not on PATH (install PostgreSQL 15's server package)")
    return initdb, pg_ctl


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The socket folder of a running private cluster (stopped and removed after the session)."""
    pytest.importorskip("psycopg", reason="PostgreSQL tests: psycopg is not installed (pip install -e '.[postgres]')")
    initdb, pg_ctl = _binaries()
    prefix = _as_server_user()
    folder = Path(tempfile.mkdtemp(prefix="ruledeck-pg-"))
    if prefix:
        shutil.chown(folder, user="postgres")
    data = folder / "data"
    run = lambda *args: subprocess.run([*prefix, *args], check=True, capture_output=True, text=True)  # noqa: E731
    try:
        run(initdb, "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale")
        options = (f"-k {folder} -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
                   "-c full_page_writes=off -c max_connections=40")
        run(pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "server.log"), "-w", "-t", "60", "start")
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.fail(f"could not start a PostgreSQL cluster: {exc.stderr or exc.stdout}")
    try:
        yield str(folder)
    finally:
        subprocess.run([*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def server_url(socket_dir: str, database: str = "postgres") -> str:
    """A libpq URL for ``database`` on the private cluster."""
    return f"postgresql://postgres@/{database}?host={socket_dir}"


@pytest.fixture
def pg_url(postgres_server: str) -> Iterator[str]:
    """The URL of a new, empty database on the private cluster (dropped after the test)."""
    import psycopg

    name = f"rd_test_{os.getpid()}_{next(_counter)}"
    with psycopg.connect(server_url(postgres_server), autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    yield server_url(postgres_server, name)
    with psycopg.connect(server_url(postgres_server), autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
