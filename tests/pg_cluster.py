"""A private, throw-away PostgreSQL server a test may stop and start again (the suite's shared server,
ANNOTATOR_TEST_DB_URL, is never stopped): initdb + pg_ctl in a temporary folder on a free local port,
as `nobody` when running as root — what scripts/with-postgres does for the whole suite.

The tests that use it do not depend on the suite's backend, so they run once: in the files pass
when Debian's postgresql package (initdb) is installed — as .ci/run installs it — and are skipped in
the PostgreSQL pass (they would repeat the same run) and where initdb is missing, each with its reason.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool


def postgres_bin() -> Path | None:
    """The folder of initdb and pg_ctl (PG_BIN, Debian's newest, or the PATH's), or None."""
    if os.environ.get("PG_BIN"):
        candidates = [Path(os.environ["PG_BIN"])]
    else:
        candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name)
                            if p.parent.name.isdigit() else 0, reverse=True)
        if shutil.which("initdb"):
            candidates.append(Path(shutil.which("initdb")).parent)
    return next((c for c in candidates if (c / "initdb").exists() and (c / "pg_ctl").exists()), None)


def why_no_private_server() -> str | None:
    """Why the tests of a server that goes away cannot run here (None: they can)."""
    if os.environ.get("ANNOTATOR_TEST_DB_URL"):
        return "runs its own server, in the files pass (this is the PostgreSQL pass: it would repeat the same run)"
    if postgres_bin() is None:
        return "needs PostgreSQL's initdb and pg_ctl (apt-get install postgresql, or PG_BIN) for a server to stop"
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateCluster:
    """One cluster in its own folder; `stop()` shuts it down at once (as a crash or a pulled cable
    would look to a client: open connections are cut), `start()` brings it back on the same port."""

    def __init__(self) -> None:
        self.bin = postgres_bin()
        self.folder = Path(tempfile.mkdtemp(prefix="annotator-pg-private."))
        self.folder.chmod(0o755)
        self.port = free_port()
        self._as_owner = ["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []
        if self._as_owner:
            shutil.chown(self.folder, "nobody")
        self._owner(str(self.bin / "initdb"), "-D", str(self.folder / "data"), "-U", "postgres",
                    "--auth-local=trust", "--auth-host=trust", "-E", "UTF8", "--locale=C.UTF-8")
        self.start()

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _owner(self, *command: str) -> None:
        subprocess.run([*self._as_owner, *command], cwd=self.folder, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        self._owner(str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-l", str(self.folder / "server.log"),
                    "-w", "-s", "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                    "-c full_page_writes=off", "start")  # commits wait for the WAL: an immediate stop loses none

    def stop(self) -> None:
        self._owner(str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "-w", "-s", "stop")

    def running(self) -> bool:
        pid_file = self.folder / "data" / "postmaster.pid"
        return pid_file.exists()

    def new_database(self, name: str) -> str:
        """An empty database on this server; its URL."""
        admin = create_engine(self.url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return self.url.rsplit("/", 1)[0] + f"/{name}"

    def remove(self) -> None:
        if self.running():
            try:
                self.stop()
            except subprocess.CalledProcessError:
                pass
        shutil.rmtree(self.folder, ignore_errors=True)


class CuttableLink:
    """A TCP relay on a local port in front of a server, which can lose a commit's answer: armed with
    `cut_at_commit(deliver=True)`, the next COMMIT a client sends reaches the server (and is carried
    out there), then both ends are closed before the answer gets back — the client cannot tell
    whether its work was stored, as after a cable pulled at the wrong moment. With `deliver=False`
    the COMMIT is dropped instead (the server rolls the transaction back when the link closes)."""

    def __init__(self, server_port: int) -> None:
        import threading

        self._server_port = server_port
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._armed: bool | None = None  # None: relay everything; else cut at the next COMMIT
        self.cuts = 0
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def cut_at_commit(self, deliver: bool = True) -> None:
        self._armed = deliver

    def close(self) -> None:
        self._listener.close()

    def _accept(self) -> None:
        import threading

        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self._server_port))
            lost = threading.Event()  # the commit's answer is to be lost: relay nothing more back
            threading.Thread(target=self._pump, args=(client, server, lost, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, lost, False), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, lost, to_server: bool) -> None:
        import time

        try:
            while data := source.recv(65536):
                if to_server and b"COMMIT\x00" in data and self._take_cut():
                    lost.set()
                    if self._armed_deliver:
                        target.sendall(data)
                        time.sleep(0.5)  # the server commits; its answer goes nowhere
                    break
                if lost.is_set():
                    break
                target.sendall(data)
        except OSError:
            pass
        for end in (source, target):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            end.close()

    def _take_cut(self) -> bool:
        with self._lock:
            if self._armed is None:
                return False
            self._armed_deliver, self._armed = self._armed, None
            self.cuts += 1
            return True
