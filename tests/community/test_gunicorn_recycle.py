"""Gunicorn workers recycle one at a time: never two of one server within the gap."""

import runpy
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings


def config(tmp_path):
    conf = runpy.run_path(str(Path(settings.BASE_DIR) / "gunicorn.conf.py"))
    conf["post_request"].__globals__["worker_tmp_dir"] = str(tmp_path)
    return conf


def worker(conf, ppid=4242):
    log = SimpleNamespace(info=lambda *args: None)
    w = SimpleNamespace(max_requests=100, nr=0, alive=True, ppid=ppid, log=log)
    conf["post_fork"](None, w)
    return w


def test_the_jitter_is_half_the_limit_at_least(tmp_path):
    conf = config(tmp_path)
    assert conf["max_requests_jitter"] >= conf["max_requests"] // 2


def test_a_second_worker_over_its_limit_waits_for_the_gap(tmp_path):
    conf = config(tmp_path)
    first, second = worker(conf), worker(conf)
    assert first.max_requests > 10**9  # gunicorn's own check is off: post_request decides
    first.nr = second.nr = 100
    conf["post_request"](first, None, {}, None)
    conf["post_request"](second, None, {}, None)
    assert not first.alive
    assert second.alive  # serves on, asks again after its next request
    other_server = worker(conf, ppid=4343)
    other_server.nr = 100
    conf["post_request"](other_server, None, {}, None)
    assert not other_server.alive
