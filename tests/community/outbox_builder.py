"""An email builder that nothing imports: the send_email task must import it by name."""

from community import emails


@emails.builder("outbox_test_greeting")
def greeting(*, to):
    return emails.build(template="verification_decision", to=to, subject="Hi", context={})
