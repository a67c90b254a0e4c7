"""EMAIL_URL becomes the mailer the portal sends through (medi4sec.mailers)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from medi4sec.mailers import mailer_from_url

SMTP = "django.core.mail.backends.smtp.EmailBackend"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtp+tls://user:p%40ss@mail.example.eu:2587",
            {
                "host": "mail.example.eu",
                "port": 2587,
                "use_tls": True,
                "use_ssl": False,
                "username": "user",
                "password": "p@ss",
                "timeout": 10,
            },
        ),
        (
            "smtps://mail.example.eu",
            {
                "host": "mail.example.eu",
                "port": 465,
                "use_tls": False,
                "use_ssl": True,
                "timeout": 10,
            },
        ),
        (
            "smtp://127.0.0.1:1025?timeout=3",
            {"host": "127.0.0.1", "port": 1025, "use_tls": False, "use_ssl": False, "timeout": 3},
        ),
    ],
)
def test_email_url_becomes_a_mailer(url, expected):
    assert mailer_from_url(url) == {"BACKEND": SMTP, "OPTIONS": expected}


@pytest.mark.parametrize(
    ("url", "port"),
    [
        ("smtp://mail.example.eu", 25),
        ("smtp+tls://mail.example.eu", 587),
        ("smtps://mail.example.eu", 465),
        ("smtps://mail.example.eu:2465", 2465),
    ],
)
def test_each_smtp_scheme_has_its_providers_port_unless_the_url_names_one(url, port):
    assert mailer_from_url(url)["OPTIONS"]["port"] == port


def test_escaped_characters_in_credentials_are_read_back():
    # A password holding ":", "@", "/", "#", "%" and a space, as a provider may hand it out.
    options = mailer_from_url(
        "smtp+tls://me%40example.eu:a%3Ab%40c%2Fd%23e%25f%20g@mail.example.eu"
    )["OPTIONS"]
    assert options["username"] == "me@example.eu"
    assert options["password"] == "a:b@c/d#e%f g"
    assert options["host"] == "mail.example.eu"


def test_a_user_without_password_has_an_empty_password():
    options = mailer_from_url("smtp://relay@mail.example.eu")["OPTIONS"]
    assert (options["username"], options["password"]) == ("relay", "")


def test_no_credentials_means_no_log_in():
    options = mailer_from_url("smtp://mail.example.eu")["OPTIONS"]
    assert "username" not in options
    assert "password" not in options


def test_smtp_without_a_host_sends_through_localhost():
    assert mailer_from_url("smtp://")["OPTIONS"]["host"] == "localhost"


def test_file_email_url_writes_to_a_folder():
    assert mailer_from_url("file:///tmp/mails") == {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": "/tmp/mails"},
    }


def test_file_email_url_reads_an_escaped_folder_name():
    assert mailer_from_url("file:///srv/portal%20mail")["OPTIONS"] == {
        "file_path": "/srv/portal mail"
    }


@pytest.mark.parametrize(
    ("url", "backend"),
    [
        ("console://", "django.core.mail.backends.console.EmailBackend"),
        ("locmem://", "django.core.mail.backends.locmem.EmailBackend"),
    ],
)
def test_console_and_memory_mailers_take_no_options(url, backend):
    assert mailer_from_url(url) == {"BACKEND": backend}


@pytest.mark.parametrize(
    ("url", "scheme"),
    [("http://mail.example.eu", "http"), ("smtp+ssl://mail.example.eu", "smtp+ssl"), ("", "")],
)
def test_an_unsupported_scheme_refuses_to_start_and_names_it(url, scheme):
    with pytest.raises(ImproperlyConfigured) as refused:
        mailer_from_url(url)
    assert str(refused.value) == f"EMAIL_URL scheme {scheme!r} is not supported."
