"""The personal email digest: periods, preferences, what one member gets, and exactly-once delivery.

A run (``delivery.run_start``, started by Celery beat) covers one period, the week or day that
ended at the scheduled hour, and fans the subscribers out in chunks; each member's task calls
``delivery.deliver``, which claims the member's ledger row (``DigestDelivery``), builds the digest
from what the member may see *now* (``content.build``) and sends it. Content of a period is what
appeared between its start and its end, each shifted back by the edit grace period, so
consecutive periods neither overlap nor leave a gap, and nothing younger than the grace period is
ever reported.

The models stay in ``community`` (``community/models/digest.py``): subscriptions and topics are
member data, exported and erased with the member; the run and delivery ledger sits beside them.
"""
