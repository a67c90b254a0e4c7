"""Read ``EMAIL_URL`` into a ``MAILERS`` entry: the one mail backend the portal sends through.

Imported by the settings module, so it depends on nothing but the standard library and Django's
exception classes.
"""

from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

SMTP_SCHEMES = {"smtp", "smtp+tls", "smtps"}
# The port a provider listens on for each kind of connection, when the URL names none.
SMTP_DEFAULT_PORTS = {"smtp": 25, "smtp+tls": 587, "smtps": 465}
SMTP_DEFAULT_TIMEOUT = "10"


def mailer_from_url(url):
    """Return a ``MAILERS`` entry for *url*: smtp://, smtp+tls://, smtps://, file://, console://."""
    parts = urlsplit(url)
    scheme = parts.scheme
    if scheme == "console":
        return {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "locmem":
        return {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme == "file":
        return {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": unquote(parts.path)},
        }
    if scheme in SMTP_SCHEMES:
        return {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": _smtp(parts)}
    raise ImproperlyConfigured(f"EMAIL_URL scheme {scheme!r} is not supported.")


def _smtp(parts):
    """Return the SMTP backend's options for the split URL *parts*."""
    query = parse_qs(parts.query)
    options = {
        "host": parts.hostname or "localhost",
        "port": parts.port or SMTP_DEFAULT_PORTS[parts.scheme],
        "use_tls": parts.scheme == "smtp+tls",
        "use_ssl": parts.scheme == "smtps",
        "timeout": int(query.get("timeout", [SMTP_DEFAULT_TIMEOUT])[0]),
    }
    # Credentials are percent-encoded in the URL: "p%40ss" is the password "p@ss".
    if parts.username:
        options["username"] = unquote(parts.username)
        options["password"] = unquote(parts.password or "")
    return options
