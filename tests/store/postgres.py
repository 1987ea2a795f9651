"""A throwaway PostgreSQL server for the store tests: initdb and pg_ctl in a temp folder,
listening only on a Unix socket there, stopped and removed afterwards.

PostgreSQL refuses to run as root (CI runs as root): then the server runs as `nobody`,
through `runuser`, in a folder it owns. `server_programs()` finds Debian's binaries
(/usr/lib/postgresql/N/bin) or any on PATH; without them the tests that need the
server are skipped, saying why.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

USER = "rulepack"  # the server's superuser, trusted on its own socket only


def server_programs() -> Path | None:
    """The folder holding initdb and pg_ctl, or None when PostgreSQL is not installed."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(debian[-1]).parent if debian else None


@dataclass
class Server:
    folder: Path
    programs: Path
    as_user: list[str]  # the command prefix that runs a program as the server's user

    @property
    def socket_dir(self) -> Path:
        return self.folder / "socket"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}@/{database}?host={self.socket_dir}"

    def run(self, program: str, *args: str) -> None:
        done = subprocess.run(
            [*self.as_user, str(self.programs / program), *args],
            capture_output=True,
            text=True,
            cwd=self.folder,
        )
        if done.returncode != 0:
            log = (self.folder / "log").read_text() if (self.folder / "log").exists() else ""
            raise RuntimeError(f"{program} failed: {done.stderr}{done.stdout}\n{log}")

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        try:
            self.run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def start_server() -> Server:
    """A new server; RuntimeError with PostgreSQL's words when it cannot start."""
    programs = server_programs()
    assert programs is not None
    # Not under pytest's temp folder: that one is private to root, and the socket's
    # path must stay short (at most 107 bytes).
    folder = Path(tempfile.mkdtemp(prefix="rulepack-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        import pwd

        nobody = pwd.getpwnam("nobody")
        os.chown(folder, nobody.pw_uid, nobody.pw_gid)
        as_user = ["runuser", "-u", "nobody", "--"]
    server = Server(folder, programs, as_user)
    data = str(folder / "data")
    server.run("initdb", "-D", data, "-U", USER, "--auth=trust", "-E", "UTF8", "--no-sync")
    subprocess.run([*as_user, "mkdir", str(server.socket_dir)], check=True)
    options = f"-k {server.socket_dir} -c listen_addresses='' -c fsync=off"
    server.run("pg_ctl", "-D", data, "-o", options, "-l", str(folder / "log"), "-w", "start")
    return server
