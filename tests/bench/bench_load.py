"""`make bench`: 50 concurrent members browse and post for 60 seconds on 100,000 posts.

Seeds the data set of bench_forums.py (20 forums, 2,000 threads, 100,000 posts) into its own
database, adds BENCH_USERS signed-in members whose accounts are old and verified (the new-account
limits do not apply to them: this measures the portal, not the abuse limits), serves the portal
with gunicorn.conf.py (DEBUG off, Redis cache) and runs wrk with tests/bench/load.lua: 50
connections, each request a page or a reply (see the script for the mix). Reports throughput,
p50/p95/p99 latency, errors (connection errors, timeouts, and answers other than 2xx/3xx), and
checks in the database that every reply sent was stored. Not collected by pytest.
"""

# The benchmark runs local tools (gunicorn, wrk, redis-cli) with fixed arguments.
# ruff: noqa: S310, S603, S607

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_forums
from bench_forums import BASE_DIR, ENV, PORT

DURATION = os.environ.get("BENCH_LOAD_DURATION", "60s")
USERS = int(os.environ.get("BENCH_USERS", "50"))
SCRIPT = BASE_DIR / "tests" / "bench" / "load.lua"
DATA = BASE_DIR / "var" / "bench-load.txt"


def prepare_members(count):
    """Give *count* seeded members a verified address, consent, an old account and a session."""
    import datetime
    from importlib import import_module

    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.middleware.csrf import _get_new_csrf_string
    from django.utils import timezone

    from community.models import Forum, Thread, User
    from community.services.privacy import consent_record

    members = list(User.objects.filter(username__startswith="bench").order_by("pk")[:count])
    User.objects.filter(pk__in=[m.pk for m in members]).update(
        date_joined=timezone.now() - datetime.timedelta(days=400)
    )
    lines = []
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for member in members:
        EmailAddress.objects.get_or_create(
            user=member, email=member.email, defaults={"verified": True, "primary": True}
        )
        consent_record(user=member)
        session = store()
        session[SESSION_KEY] = str(member.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = member.get_session_auth_hash()
        session.create()
        lines.append(f"member {session.session_key} {_get_new_csrf_string()}")
    for thread in Thread.objects.order_by("pk"):
        last_page = max(1, -(-thread.post_count // 20))
        lines.append(f"thread {thread.pk} {thread.get_absolute_url()} {last_page}")
    lines += [f"forum {forum.get_absolute_url()}" for forum in Forum.objects.all()]
    DATA.write_text("\n".join(lines) + "\n")
    first = lines[0].split()
    return first[1], first[2]


def serve():
    log = open(BASE_DIR / "var" / "bench-load-gunicorn.log", "w")  # noqa: SIM115
    env = {**ENV, "GUNICORN_BIND": f"127.0.0.1:{PORT}"}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "medi4sec.wsgi", "-c", "gunicorn.conf.py"],
        env=env,
        cwd=BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start; see var/bench-load-gunicorn.log")


def check_pages(session, csrf):
    """Fail early if a page of the mix does not answer 200 for a member (not a redirect)."""
    cookie = f"sessionid={session}; csrftoken={csrf}"
    for path in ["/", "/forums/", "/notifications/"]:
        url = f"http://127.0.0.1:{PORT}{path}"
        request = urllib.request.Request(url, headers={"Cookie": cookie})
        with urllib.request.urlopen(request, timeout=30) as response:
            if response.status != 200 or response.url != url:
                raise SystemExit(f"{path} answered {response.status} at {response.url}")


def wrk(*options):
    command = ["wrk", *options, "-s", str(SCRIPT), f"http://127.0.0.1:{PORT}", "--", str(DATA)]
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=BASE_DIR)
    if result.returncode or "RESULT" not in result.stdout:
        raise SystemExit(f"wrk failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def main():
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk (make bench does this)")
    (BASE_DIR / "var").mkdir(exist_ok=True)
    subprocess.run(
        ["redis-cli", "-u", ENV["REDIS_URL"], "flushdb"], check=False, capture_output=True
    )
    if os.environ.get("BENCH_REUSE") == "1":  # the data set of an earlier run, as it is now
        bench_forums.run(sys.executable, "manage.py", "migrate", "--noinput", "-v0")
        bench_forums.run(sys.executable, "manage.py", "collectstatic", "--noinput", "-v0")
        os.environ.update(ENV)
        sys.path.insert(0, str(BASE_DIR))
        import django

        django.setup()
    else:
        bench_forums.fresh_database()
        bench_forums.seed()
    session, csrf = prepare_members(USERS)
    from community.models import Post

    server = serve()
    try:
        check_pages(session, csrf)
        wrk("-t1", "-c4", "-d3s")  # warm up each gunicorn process: code, caches, connections
        posts_before = Post.objects.count()
        out = wrk("-t2", f"-c{USERS}", f"-d{DURATION}", "--timeout", "10s")
        stored = Post.objects.count() - posts_before
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    result = dict(re.findall(r"(\w+)=(\d+)", out.split("RESULT", 1)[1]))
    n = {key: int(value) for key, value in result.items()}
    seconds = n["duration_us"] / 1e6
    errors = n["connect"] + n["read"] + n["write"] + n["status"] + n["timeout"]
    workers = os.environ.get("GUNICORN_WORKERS", "2")
    threads = os.environ.get("GUNICORN_THREADS", "2")
    print(
        f"\nLoad: {USERS} concurrent members for {seconds:.0f} s on 100,000 posts; gunicorn "
        f"{workers} workers x {threads} threads, DEBUG off; {os.cpu_count()} CPUs shared by "
        "gunicorn, wrk, PostgreSQL and Redis"
    )
    print(f"  requests      {n['requests']:>8}  ({n['requests'] / seconds:.1f} per second)")
    print(f"  pages (GET)   {n['gets']:>8}")
    print(f"  replies sent  {n['posts']:>8}  stored: {stored}")
    print(
        f"  latency       p50 {n['p50_us'] / 1000:.0f} ms, p95 {n['p95_us'] / 1000:.0f} ms, "
        f"p99 {n['p99_us'] / 1000:.0f} ms, max {n['max_us'] / 1000:.0f} ms"
    )
    print(
        f"  errors        {errors}  (non-2xx/3xx {n['status']}, timeouts {n['timeout']}, "
        f"connect {n['connect']}, read {n['read']}, write {n['write']})"
    )
    # wrk may count a reply in flight at the end as sent: allow the connections' worth.
    if errors or not n["posts"] - USERS <= stored <= n["posts"]:
        raise SystemExit("errors during the load, or replies that were not stored")


if __name__ == "__main__":
    main()
