"""Production serving settings: gunicorn from the environment, connection reuse, caching."""

import os
import runpy

from tests.community.test_configuration import ROOT, run_django

PRODUCTION = {"DEBUG": "false", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "portal.example.eu"}


def test_gunicorn_settings_come_from_the_environment(monkeypatch):
    for name in list(os.environ):
        if name.startswith("GUNICORN_") or name == "WEB_CONCURRENCY":
            monkeypatch.delenv(name)
    defaults = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert (defaults["workers"], defaults["threads"], defaults["timeout"]) == (2, 2, 30)
    assert (defaults["keepalive"], defaults["max_requests"], defaults["max_requests_jitter"]) == (
        5,
        10000,
        5000,
    )
    monkeypatch.setenv("GUNICORN_WORKERS", "5")
    monkeypatch.setenv("GUNICORN_THREADS", "4")
    monkeypatch.setenv("GUNICORN_BIND", "0.0.0.0:8000")
    monkeypatch.setenv("GUNICORN_MAX_REQUESTS", "500")
    tuned = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert (tuned["workers"], tuned["threads"], tuned["bind"], tuned["max_requests"]) == (
        5,
        4,
        "0.0.0.0:8000",
        500,
    )


def test_production_reuses_connections_and_caches_templates_and_static_files():
    result = run_django(
        PRODUCTION,
        code=(
            "import django; django.setup()\n"
            "from django.conf import settings\n"
            "from django.template import engines\n"
            "db = settings.DATABASES['default']\n"
            "print(db['CONN_MAX_AGE'], db['CONN_HEALTH_CHECKS'])\n"
            "loader = engines['django'].engine.template_loaders[0]\n"
            "print(type(loader).__module__)\n"
            "print(settings.STORAGES['staticfiles']['BACKEND'])\n"
        ),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "60",
        "True",
        "django.template.loaders.cached",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
    ]
