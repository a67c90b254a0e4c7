"""Client addresses kept for abuse handling: which address a post came from, for a while.

Moderators need them to tell a flood from one person or to answer a police request about a
threat; nobody needs them for long. Only posts record one (not page views or sign-ins), and the
retention job erases each after ``RETENTION_IP_ADDRESS_DAYS``.
"""

from allauth.account.adapter import get_adapter

from ..models import ClientAddress, Post


def post_address_record(*, post: Post, request) -> ClientAddress | None:
    """Record the address *request* came from as the one *post* was written from."""
    ip = get_adapter().get_client_ip(request)
    if not ip:
        return None
    return ClientAddress.objects.create(post=post, user=post.author, ip=ip)
