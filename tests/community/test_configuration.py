"""Settings read from the environment, and the refusal to run production on development values."""

import ast
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings

from medi4sec.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


def run_django(env_overrides, code="import django; django.setup(); print('started')"):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"}}
    env |= {"DJANGO_SETTINGS_MODULE": "medi4sec.settings", **env_overrides}
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


def test_production_refuses_to_start_without_secret_key_and_hosts():
    result = run_django({"DEBUG": "false"})
    assert result.returncode != 0
    assert "set SECRET_KEY and ALLOWED_HOSTS" in result.stderr
    result = run_django({"DEBUG": "false", "SECRET_KEY": "x" * 50})
    assert result.returncode != 0


def test_production_starts_with_explicit_values():
    result = run_django(
        {"DEBUG": "false", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "portal.example.eu"},
        code="import django; django.setup(); from django.conf import settings; "
        "print(settings.SESSION_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True 31536000"


def test_embedded_default_needs_no_services():
    result = run_django(
        {"DATABASE_URL": "", "REDIS_URL": "", "EMAIL_URL": ""},
        code="import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CACHES['default']['BACKEND'], "
        "s.CELERY_TASK_ALWAYS_EAGER, s.MAILERS['default']['BACKEND'])",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "django.core.cache.backends.locmem.LocMemCache",
        "True",
        "django.core.mail.backends.filebased.EmailBackend",
    ]


def test_postgres_installs_contrib_postgres():
    assert ("django.contrib.postgres" in settings.INSTALLED_APPS) == settings.IS_POSTGRES


def test_celery_acknowledges_late_and_uses_the_configured_broker():
    conf = celery_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.broker_url == (settings.REDIS_URL or "memory://")
    # The configured value: tests run tasks in-process whatever it says (tests/conftest.py).
    assert settings.CELERY_TASK_ALWAYS_EAGER is (not settings.REDIS_URL)


@pytest.mark.parametrize("private", ["media/private", "media"])
def test_private_files_cannot_live_where_media_is_served(tmp_path, private):
    result = run_django(
        {"MEDIA_ROOT": str(tmp_path / "media"), "PRIVATE_MEDIA_ROOT": str(tmp_path / private)}
    )
    assert result.returncode != 0
    assert "PRIVATE_MEDIA_ROOT must not be inside MEDIA_ROOT" in result.stderr


def test_each_setting_is_defined_in_one_statement():
    """Read a setting where it is defined: no piece of it is added further down the module."""
    tree = ast.parse((ROOT / "medi4sec" / "settings.py").read_text())
    definitions, imports, pieces = Counter(), Counter(), []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            for target in getattr(node, "targets", [getattr(node, "target", None)]):
                if isinstance(target, ast.Name) and target.id.isupper():
                    definitions[target.id] += 1
                elif isinstance(target, ast.Subscript):
                    pieces.append(ast.unparse(target))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if ast.unparse(node.func.value).split("[")[0].isupper():
                pieces.append(ast.unparse(node))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            imports.update(alias.asname or alias.name for alias in node.names)
    assert [name for name, count in definitions.items() if count > 1] == []
    assert [name for name, count in imports.items() if count > 1] == []
    # The one exception: the connection options of the database its URL describes.
    assert {piece.split("[")[0] for piece in pieces} <= {"DATABASES"}, pieces
