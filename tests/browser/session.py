"""Signing a browser in as a member, for the browser tests."""

from django.test import Client
from playwright.sync_api import Page


def sign_in(page: Page, live_server, user):
    """Sign in through the session cookie; the log-in form has its own tests."""
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
