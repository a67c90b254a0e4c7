"""Settings for ``make bench``: the portal's, plus the reference pages of tests/bench/urls.py."""

from medi4sec.settings import *  # noqa: F403
from medi4sec.settings import BASE_DIR, TEMPLATES

ROOT_URLCONF = "tests.bench.urls"
TEMPLATES = [{**TEMPLATES[0], "DIRS": [*TEMPLATES[0]["DIRS"], BASE_DIR / "tests/bench/templates"]}]
