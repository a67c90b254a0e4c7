"""PostgreSQL really stopped and started under a running gunicorn: a styled 503, then recovery.

The outage is logged once per worker process at WARNING (never an ERROR per request), /readyz
says only that the database is down, and the end of the outage is logged too.

The test runs its own PostgreSQL cluster (initdb into a temporary folder, another port), so the
shared server stays up for the rest of the suite.
"""

import contextlib
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.reliability.services import free_port

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)), None)

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.skipif(
        PG_BIN is None or os.geteuid() != 0 or not shutil.which("runuser"),
        reason="needs PostgreSQL's server binaries and root (to run them as the postgres user)",
    ),
]


def as_postgres(*args):
    subprocess.run(  # noqa: S603
        ["/usr/sbin/runuser", "-u", "postgres", "--", *args],
        check=True,
        capture_output=True,
    )


class PrivatePostgres:
    def __init__(self, folder: Path):
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()

    def init(self):
        shutil.chown(self.folder, "postgres")
        as_postgres(f"{PG_BIN}/initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres")

    def start(self):
        as_postgres(
            f"{PG_BIN}/pg_ctl", "-D", str(self.data), "-w", "-l", str(self.folder / "log"),
            "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1",
            "start",
        )  # fmt: skip

    def stop(self):
        as_postgres(f"{PG_BIN}/pg_ctl", "-D", str(self.data), "-w", "-m", "fast", "stop")


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our own server
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def portal_on_private_postgres():
    # Not pytest's tmp_path: the postgres user cannot enter root's private pytest folder.
    folder = Path(tempfile.mkdtemp(prefix="medi4sec-pg-"))
    folder.chmod(0o755)
    postgres = PrivatePostgres(folder)
    postgres.init()
    postgres.start()
    as_postgres(f"{PG_BIN}/createdb", "-h", "127.0.0.1", "-p", str(postgres.port), "portal")
    web_port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{postgres.port}/portal",
        "REDIS_URL": "",
        "DEBUG": "false",
        "SECRET_KEY": "reliability-test-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "INFO",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)  # noqa: S603
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)  # noqa: S603
    log_path = folder / "gunicorn.log"
    log_file = log_path.open("w")
    gunicorn = subprocess.Popen(  # noqa: S603
        [str(Path(sys.executable).parent / "gunicorn"), "medi4sec.wsgi", "--bind",
         f"127.0.0.1:{web_port}", "--workers", "2", "--timeout", "20"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log_file,
    )  # fmt: skip
    base = f"http://127.0.0.1:{web_port}"

    def portal_log():
        """Return the portal's JSON log lines so far (gunicorn's own lines are not JSON)."""
        lines = []
        for line in log_path.read_text().splitlines():
            with contextlib.suppress(ValueError):
                lines.append(json.loads(line))
        return lines

    try:
        for _ in range(100):
            try:
                if get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        yield postgres, base, portal_log
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=10)
        log_file.close()
        with contextlib.suppress(subprocess.CalledProcessError):
            postgres.stop()
        shutil.rmtree(folder, ignore_errors=True)


def test_database_restart_gives_a_503_then_recovers_without_a_restart(portal_on_private_postgres):
    postgres, base, portal_log = portal_on_private_postgres
    # Warm both workers' persistent connections (CONN_MAX_AGE) before the outage.
    for _ in range(6):
        assert get(f"{base}/about/")[0] == 200

    postgres.stop()
    status, body = get(f"{base}/about/")
    assert status == 503
    assert "The portal is briefly unavailable" in body
    assert "Traceback" not in body
    assert "OperationalError" not in body
    assert get(f"{base}/healthz")[0] == 200  # the process itself is alive
    for _ in range(10):
        status, body = get(f"{base}/readyz")
        assert status == 503
        assert json.loads(body)["checks"]["database"] == {"ok": False}
        assert "Error" not in body
        assert get(f"{base}/about/")[0] == 503

    postgres.start()
    restarted = time.monotonic()
    statuses = []
    while time.monotonic() - restarted < 10:
        statuses.append(get(f"{base}/about/")[0])
        if statuses[-3:] == [200, 200, 200]:
            break
        time.sleep(0.2)
    assert statuses[-3:] == [200, 200, 200], statuses
    assert get(f"{base}/readyz")[0] == 200

    log = portal_log()
    assert [line for line in log if line["level"] in ("ERROR", "CRITICAL")] == []
    outage = [line for line in log if line["logger"] == "medi4sec.outages"]
    started = [line for line in outage if line["message"].startswith("database unavailable")]
    ended = [line for line in outage if line["message"].startswith("database available again")]
    # Once per worker process (two workers), whatever the number of failed requests (21).
    assert 1 <= len(started) <= 2, outage
    assert {line["level"] for line in started} == {"WARNING"}
    assert 1 <= len(ended) <= len(started), outage
    assert {line["level"] for line in ended} == {"INFO"}
