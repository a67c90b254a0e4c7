"""`make bench`: seed 100,000 posts into PostgreSQL, serve with gunicorn, measure the forum pages.

Seeds 20 forums, 2,000 threads and 100,000 posts (one thread with 1,000 posts) into the database
``medi4sec_bench`` with bulk inserts, serves the portal with gunicorn (2 workers, DEBUG off, a
production-like environment) and measures requests/s and p50/p99 latency with wrk, for anonymous
visitors and for a signed-in member, next to two reference views (hello world; 50 rows through a
template). Not collected by pytest (the file name does not start with ``test_``).
"""

# The benchmark runs local tools (dropdb, gunicorn, wrk, redis-cli) with fixed arguments.
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

BASE_DIR = Path(__file__).resolve().parents[2]
DB_NAME = os.environ.get("BENCH_DB", "medi4sec_bench")
PG = "postgres://postgres@127.0.0.1:5432"
PORT = int(os.environ.get("BENCH_PORT", "8765"))
DURATION = os.environ.get("BENCH_DURATION", "8s")
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "8")
ENV = {
    **os.environ,
    "DATABASE_URL": f"{PG}/{DB_NAME}",
    "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5"),
    "DEBUG": "false",
    "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SITE_URL": f"http://127.0.0.1:{PORT}",
    "SECURE_SSL_REDIRECT": "false",
    "LOG_LEVEL": "WARNING",
    "DJANGO_SETTINGS_MODULE": "tests.bench.settings",
}
BARE_PAGES = [("hello world", "/bench/hello/"), ("50 rows", "/bench/rows/")]
FORUMS, THREADS, POSTS, BIG_THREAD_POSTS = 20, 2_000, 100_000, 1_000
BODIES = [
    "We saw the same during the **derby**: a rumour spread within minutes. Our approach:\n\n"
    "1. confirm what we know;\n2. say when we will update;\n3. keep the same thread.",
    "Agreed with the points above. See https://example.org/guide for the template we use.",
    "> The first hour matters most\n\nIn our region we answer within 30 minutes, even if only "
    "to say that we are looking into it. ~~Silence~~ never helped.",
    "| channel | first answer |\n|---|---|\n| X | 15 min |\n| Facebook | 30 min |",
]


def run(*args, **kwargs):
    return subprocess.run(args, check=True, env=ENV, cwd=BASE_DIR, **kwargs)


def fresh_database():
    run("dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", DB_NAME)
    run("createdb", "-h", "127.0.0.1", "-U", "postgres", DB_NAME)
    run(sys.executable, "manage.py", "migrate", "--noinput", "-v0")
    run(sys.executable, "manage.py", "collectstatic", "--noinput", "-v0")


def seed():
    """Bulk-insert the forums, threads and posts; return (big thread url, member session key)."""
    os.environ.update(ENV)
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    started = time.perf_counter()
    users = seed_members()
    forums, threads = seed_threads(users)
    seed_posts(threads, users)
    recount()
    print(
        f"Seeded {FORUMS} forums, {THREADS} threads, {POSTS} posts "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return threads[0].get_absolute_url(), member_session(users[0]), forums[0].slug


def seed_members():
    """Return 200 members; the first has a confirmed address and accepted the terms."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password

    from community.models import Profile, User
    from community.services.privacy import consent_record

    password = make_password("bench-password-1")
    users = User.objects.bulk_create(
        User(
            username=f"bench{i}",
            email=f"bench{i}@example.eu",
            password=password,
            display_name=f"Bench member {i}",
        )
        for i in range(200)
    )
    Profile.objects.bulk_create(Profile(user=user) for user in users)
    member = users[0]
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    consent_record(user=member)  # otherwise every signed-in page redirects to the consent page
    return users


def seed_threads(users):
    """Return the public forums and their threads, two tags on each thread."""
    import datetime

    from django.utils import timezone
    from taggit.models import Tag

    from community.models import Forum, TaggedThread, Thread

    forums = Forum.objects.bulk_create(
        Forum(
            name=f"Bench forum {i}",
            slug=f"bench-{i}",
            position=i,
            audience="public",
            section=f"Section {i % 4}",
            description="A forum for the benchmark.",
        )
        for i in range(FORUMS)
    )
    tags = Tag.objects.bulk_create(Tag(name=f"topic {i}", slug=f"topic-{i}") for i in range(30))
    now = timezone.now()
    threads = Thread.objects.bulk_create(
        Thread(
            forum=forums[i % FORUMS],
            author=users[i % len(users)],
            title=f"Bench thread {i}",
            slug=f"bench-thread-{i}",
            created_at=now - datetime.timedelta(hours=THREADS - i),
        )
        for i in range(THREADS)
    )
    TaggedThread.objects.bulk_create(
        TaggedThread(content_object=thread, tag=tags[(thread.pk + k) % len(tags)])
        for thread in threads
        for k in range(2)
    )
    return forums, threads


def seed_posts(threads, users):
    """Insert POSTS posts: BIG_THREAD_POSTS in the first thread, the rest spread evenly."""
    import datetime

    from community.markdown import render
    from community.models import Post

    rendered = [(body, render(body).html) for body in BODIES]
    big, others = threads[0], threads[1:]
    per_thread = (POSTS - BIG_THREAD_POSTS) // len(others)
    extra = (POSTS - BIG_THREAD_POSTS) % len(others)
    plan = [(big, BIG_THREAD_POSTS)] + [
        (thread, per_thread + (1 if i < extra else 0)) for i, thread in enumerate(others)
    ]

    def posts():
        for thread, count in plan:
            for number in range(1, count + 1):
                body, html = rendered[number % len(rendered)]
                yield Post(
                    thread=thread,
                    author=users[(thread.pk + number) % len(users)],
                    number=number,
                    body_markdown=body,
                    body_html=html,
                    created_at=thread.created_at + datetime.timedelta(minutes=number),
                )

    batch = []
    for post in posts():
        batch.append(post)
        if len(batch) == 5000:
            Post.objects.bulk_create(batch)
            batch = []
    Post.objects.bulk_create(batch)


def recount():
    """Set the counters and last posts the bulk inserts bypassed, as the services keep them."""
    from django.db.models import Count, OuterRef, Subquery, Sum
    from django.db.models.functions import Coalesce

    from community.models import Forum, Post, Thread

    last_post = Post.objects.filter(thread=OuterRef("pk")).order_by("-number")
    Thread.objects.update(
        post_count=Subquery(
            Post.objects.filter(thread=OuterRef("pk"))
            .values("thread")
            .annotate(n=Count("pk"))
            .values("n")
        ),
        last_post=Subquery(last_post.values("pk")[:1]),
        last_activity_at=Subquery(last_post.values("created_at")[:1]),
    )
    latest = Thread.objects.filter(forum=OuterRef("pk")).order_by("-last_activity_at")
    totals = Thread.objects.filter(forum=OuterRef("pk")).values("forum")
    # Coalesce: forums that migrations create (case-study discussions) have no bench threads.
    Forum.objects.update(
        thread_count=Coalesce(Subquery(totals.annotate(n=Count("pk")).values("n")), 0),
        post_count=Coalesce(Subquery(totals.annotate(n=Sum("post_count")).values("n")), 0),
        last_thread=Subquery(latest.values("pk")[:1]),
    )
    assert Post.objects.count() == POSTS, Post.objects.count()


def member_session(member):
    """Return the key of a session signed in as *member*."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(member.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = member.get_session_auth_hash()
    session.create()
    return session.session_key


def serve(app="medi4sec.wsgi", port=PORT, log_name="bench-gunicorn.log"):
    """Start gunicorn (gunicorn.conf.py, 2 workers) serving *app* on *port*; return the process."""
    log = open(BASE_DIR / "var" / log_name, "w")  # noqa: SIM115
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            app,
            "--config",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
        ],
        env=ENV,
        cwd=BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"gunicorn did not start; see var/{log_name}")


def stop(server):
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def measure(path, cookie=None, port=PORT):
    url = f"http://127.0.0.1:{port}{path}"
    headers = ["-H", f"Cookie: sessionid={cookie}"] if cookie else []
    # wrk counts redirects as success: make sure the page itself answers (urllib follows them).
    request = urllib.request.Request(
        url, headers={"Cookie": f"sessionid={cookie}"} if cookie else {}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        if response.status != 200 or response.url != url:
            raise SystemExit(f"{path} answered {response.status} at {response.url}, not the page")
    # Warm up: caches, connections, and the first read markers of the member.
    subprocess.run(["wrk", "-t1", "-c2", "-d1s", *headers, url], capture_output=True, check=True)
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", *headers, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"50%\s+([\d.]+\w+)", out).group(1)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, p50, p99, int(errors.group(1)) if errors else 0


def existing_data():
    """Return what ``seed`` returns, from the data set of an earlier run (BENCH_REUSE=1)."""
    os.environ.update(ENV)
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from community.models import Forum, Thread, User

    thread = Thread.objects.get(slug="bench-thread-0")
    member = User.objects.get(username="bench0")
    return thread.get_absolute_url(), member_session(member), Forum.objects.get(slug="bench-0").slug


def wanted(label):
    """Return whether BENCH_PAGES (comma-separated words, empty: all) asks for the page *label*."""
    words = [w for w in os.environ.get("BENCH_PAGES", "").split(",") if w]
    return not words or any(word in label for word in words)


def measure_bare():
    """Measure the bare Django reference (tests/bench/bare): hello world and 50 rows."""
    server = serve("tests.bench.bare.wsgi", PORT + 1, "bench-bare-gunicorn.log")
    try:
        return {
            label: measure(path, port=PORT + 1)
            for label, path in BARE_PAGES
            if wanted(f"reference: {label}")
        }
    finally:
        stop(server)


def main():
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk (make bench does this)")
    (BASE_DIR / "var").mkdir(exist_ok=True)
    subprocess.run(
        ["redis-cli", "-u", ENV["REDIS_URL"], "flushdb"], check=False, capture_output=True
    )
    if os.environ.get("BENCH_REUSE") == "1":
        run(sys.executable, "manage.py", "collectstatic", "--noinput", "-v0")
        big_thread, session_key, forum_slug = existing_data()
    else:
        fresh_database()
        big_thread, session_key, forum_slug = seed()
    pages = [
        ("reference: hello world", "/bench/hello/"),
        ("reference: 50 rows", "/bench/rows/"),
        ("forum index", "/forums/"),
        ("forum page", f"/forums/{forum_slug}/"),
        ("big thread, first page", big_thread),
        ("big thread, last page", f"{big_thread}?page={BIG_THREAD_POSTS // 20}"),
    ]
    bare = measure_bare()
    server = serve()
    rows = []
    try:
        for label, path in pages:
            if wanted(label):
                rows.append((label, measure(path), measure(path, session_key)))
    finally:
        stop(server)
    report(bare, rows)


def report(bare, rows):
    print(
        f"\ngunicorn 2 workers (gunicorn.conf.py), DEBUG off, wrk -t2 -c{CONNECTIONS} -d{DURATION}"
    )
    print(f"on {os.cpu_count()} CPUs shared by gunicorn, wrk, PostgreSQL and Redis")
    head = ("page", "anonymous req/s", "p50", "p99", "signed-in req/s", "p50", "p99")
    print("{:<26} {:>15} {:>8} {:>8} {:>16} {:>8} {:>8}".format(*head))
    for label, figures in bare.items():
        rate, p50, p99, _errors = figures
        print(f"{'bare Django: ' + label:<26} {rate:>15.0f} {p50:>8} {p99:>8}")
    for label, anon, member in rows:
        print(
            f"{label:<26} {anon[0]:>15.0f} {anon[1]:>8} {anon[2]:>8} "
            f"{member[0]:>16.0f} {member[1]:>8} {member[2]:>8}"
        )
        if anon[3] or member[3]:
            print(f"  !! non-2xx responses: anonymous {anon[3]}, signed-in {member[3]}")
    print_ratios(bare, {label: (anon, member) for label, anon, member in rows})


def print_ratios(bare, measured):
    """Print the aims as ratios of figures measured in this run."""
    hello = measured.get("reference: hello world")
    rows50 = measured.get("reference: 50 rows")
    print("\nRatios (aims: hello >= 0.6x bare; signed-in pages >= 0.8x the signed-in 50 rows)")
    if hello and "hello world" in bare:
        base = bare["hello world"][0]
        print(
            f"  hello world vs bare hello:   anonymous {hello[0][0] / base:.2f}x   "
            f"signed in {hello[1][0] / base:.2f}x"
        )
    if rows50 and "50 rows" in bare:
        base = bare["50 rows"][0]
        print(
            f"  50 rows vs bare 50 rows:     anonymous {rows50[0][0] / base:.2f}x   "
            f"signed in {rows50[1][0] / base:.2f}x"
        )
    for label, (anon, member) in measured.items():
        if label.startswith("reference") or not rows50:
            continue
        print(
            f"  {label:<26} signed in {member[0] / rows50[1][0]:.2f}x the signed-in 50 rows"
            + (f"   anonymous {anon[0] / hello[0][0]:.2f}x hello" if hello else "")
        )


if __name__ == "__main__":
    main()
