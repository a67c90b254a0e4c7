"""Settings of the bare reference: Django's minimum, the portal's database, DEBUG off."""

import os

import environ

env = environ.Env()
DEBUG = False
SECRET_KEY = env.str("SECRET_KEY", default="bare-bench-only-key")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
ROOT_URLCONF = "tests.bench.bare.urls"
WSGI_APPLICATION = "tests.bench.bare.wsgi.application"
INSTALLED_APPS = ["tests.bench.bare"]
MIDDLEWARE: list[str] = []
DATABASES = {"default": env.db_url("DATABASE_URL", default="sqlite:///:memory:")}
DATABASES["default"]["CONN_MAX_AGE"] = 60
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [os.path.join(os.path.dirname(__file__), os.pardir, "templates")],
    }
]
USE_TZ = True
TIME_ZONE = "Europe/Brussels"
LOGGING_CONFIG = None
