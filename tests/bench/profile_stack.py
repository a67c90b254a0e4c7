"""Profile one request path through the whole stack, in one process, with cProfile.

    BENCH_REUSE data set (bench_forums.py) first; then
    .venv/bin/python tests/bench/profile_stack.py /bench/hello/ [--signed-in] [--count N]

Calls the WSGI application directly (no server, no network), so what it shows is the portal's
own work per request: middleware, sessions, context processors, the view. Prints the top 30
functions by cumulative and by own time. Not collected by pytest.
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_forums import BASE_DIR, ENV, existing_data


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--signed-in", action="store_true")
    parser.add_argument("--count", type=int, default=2000)
    args = parser.parse_args()
    os.environ.update(ENV)
    _thread, session_key, _forum = existing_data()
    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()
    path, _, query = args.path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
    }
    if args.signed_in:
        environ["HTTP_COOKIE"] = f"sessionid={session_key}"

    def request():
        status = []
        body = b"".join(app(dict(environ), lambda s, h, *a: status.append(s)))
        assert status[0].startswith("200"), (status, body[:200])

    for _ in range(50):
        request()
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(args.count):
        request()
    profiler.disable()
    elapsed = time.perf_counter() - started
    print(f"{args.count} requests in {elapsed:.2f} s: {elapsed / args.count * 1e6:.0f} us each")
    for sort in ("cumulative", "tottime"):
        pstats.Stats(profiler).sort_stats(sort).print_stats(30)


if __name__ == "__main__":
    os.chdir(BASE_DIR)
    main()
