"""`make bench` (search): p50/p95 latency of /search/ over the 100,000-post data set, on PostgreSQL.

Seeds the forum benchmark's data set (``bench_forums.seed``: 20 forums, 2,000 threads, 100,000
posts) into its own database, stores the posts' full-text vectors as the services do, marks a
handful of posts with a rare word, serves the portal with gunicorn (2 workers, DEBUG off) and
times sequential anonymous searches for four query shapes. Not collected by pytest.

Standalone: ``.venv/bin/python tests/bench/bench_search.py`` (PostgreSQL on 127.0.0.1:5432).
``BENCH_SEARCH_DB``, ``BENCH_SEARCH_PORT``, ``BENCH_REDIS_URL`` and ``BENCH_SEARCH_REQUESTS``
change the database, port, Redis and number of requests per query shape.
"""

import html
import os
import signal
import statistics
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench import bench_forums

DB_NAME = os.environ.get("BENCH_SEARCH_DB", "medi4sec_bench_search")
PORT = int(os.environ.get("BENCH_SEARCH_PORT", "8766"))
REQUESTS = int(os.environ.get("BENCH_SEARCH_REQUESTS", "100"))
RARE_POSTS = 12
QUERIES = [
    ("one common word", "minutes"),
    ("two words", "rumour approach"),
    ("a rare word", "zeppelin"),
    ("a phrase", '"first hour"'),
]


def configure():
    """Point the forum benchmark's helpers at this benchmark's database and port."""
    bench_forums.DB_NAME = DB_NAME
    bench_forums.PORT = PORT
    bench_forums.ENV.update(
        DATABASE_URL=f"{bench_forums.PG}/{DB_NAME}",
        SITE_URL=f"http://127.0.0.1:{PORT}",
    )


def index_posts():
    """Store every post's vector (the bulk seed bypasses the services) and add a rare word."""
    from django.db import connection
    from django.db.models import F, Value
    from django.db.models.functions import Concat

    from community.models import Post
    from search.indexing import post_vector

    started = time.perf_counter()
    rare = Post.objects.order_by("pk").values("pk")[:: 100_000 // RARE_POSTS][:RARE_POSTS]
    Post.objects.filter(pk__in=[row["pk"] for row in rare]).update(
        body_markdown=Concat(F("body_markdown"), Value(" A zeppelin was seen."))
    )
    Post.objects.update(search_vector=post_vector())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"Indexed {Post.objects.count()} posts in {time.perf_counter() - started:.1f} s")


def timed(path):
    started = time.perf_counter()
    with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=30) as response:
        body = response.read()
        status = response.status
    return (time.perf_counter() - started) * 1000, status, body


def measure(text):
    path = "/search/?" + urllib.parse.urlencode({"q": text})
    for _ in range(5):
        timed(path)
    samples = []
    for _ in range(REQUESTS):
        elapsed, status, _body = timed(path)
        if status != 200:
            raise SystemExit(f"{path} answered {status}")
        samples.append(elapsed)
    _elapsed, _status, body = timed(path)
    found = body.decode().split('id="results-title"', 1)[1].split("</h2>", 1)[0]
    found = html.unescape(" ".join(found.split(">", 1)[1].split()))
    cuts = statistics.quantiles(samples, n=100)
    return cuts[49], cuts[94], found


def main():
    configure()
    (bench_forums.BASE_DIR / "var").mkdir(exist_ok=True)
    bench_forums.fresh_database()
    bench_forums.seed()
    index_posts()
    server = bench_forums.serve()
    rows = []
    try:
        for label, text in QUERIES:
            rows.append((label, text, *measure(text)))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print(f"\n/search/ anonymous, gunicorn 2 workers, DEBUG off, {REQUESTS} sequential requests")
    print(f"on {os.cpu_count()} CPUs shared by gunicorn, PostgreSQL and this client")
    print(f"{'query shape':<18} {'query':<18} {'p50 ms':>8} {'p95 ms':>8}  results")
    for label, text, p50, p95, found in rows:
        print(f"{label:<18} {text:<18} {p50:>8.1f} {p95:>8.1f}  {found}")
    slow = [label for label, _text, _p50, p95, _found in rows if p95 >= 100]
    print("\nAim: p95 under 100 ms:", "met" if not slow else f"missed for {', '.join(slow)}")


if __name__ == "__main__":
    main()
