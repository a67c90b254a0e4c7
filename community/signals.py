"""Hooks the community app publishes for the apps built on it (search indexes post text)."""

from django.dispatch import Signal

# Sent inside the write's transaction after the Markdown text of posts changed (created, edited,
# a mention rewritten on erasure), with ``post_ids``: whoever keeps derived text updates it.
post_text_changed = Signal()
