"""`make bench` (digest): build and send the weekly digest to 10,000 members, on PostgreSQL.

Seeds the database ``medi4sec_bench_digest`` with 10,000 subscribed members (a tenth verified
practitioners, a tenth in a working group), four forums of every audience, 400 threads with
2,000 posts in the period, a dozen case studies, and between one and twenty follows per member;
then runs the weekly digest in-process (Celery eager: the same tasks, chunks and ledger a worker
runs) against a local SMTP server (aiosmtpd) and prints the time and the number of queries, in
total and per member. Not collected by pytest (the file name does not start with ``test_``).
"""

# The benchmark runs local tools (dropdb, createdb, manage.py) with fixed arguments.
# ruff: noqa: S603

import os
import random
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
DB_NAME = os.environ.get("BENCH_DIGEST_DB", "medi4sec_bench_digest")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
MEMBERS = int(os.environ.get("BENCH_MEMBERS", "10000"))
THREADS, POSTS_PER_THREAD, CASE_STUDIES = 400, 5, 12


def fresh_database(env):
    def run(*args):
        subprocess.run(args, check=True, env=env, cwd=BASE_DIR)

    run("dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", DB_NAME)
    run("createdb", "-h", "127.0.0.1", "-U", "postgres", DB_NAME)
    run(sys.executable, "manage.py", "migrate", "--noinput", "-v0")


def seed():
    """Bulk-insert members, forums, threads, posts, case studies and follows."""
    import datetime

    from digest.periods import period_for

    start, _end = period_for("weekly")
    when = start + datetime.timedelta(days=1)
    author, members, group = seed_members()
    forums, tags, threads = seed_forums(author, members, group, start=start, when=when)
    themes = seed_case_studies(when)
    return seed_follows(members, forums, tags, threads, themes)


def seed_members():
    """Return the author of every post, the subscribed members and their working group."""
    import datetime

    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from community.models import (
        DigestSubscription,
        Profile,
        User,
        WorkingGroup,
        WorkingGroupMembership,
    )

    now = timezone.now()
    password = make_password("bench-password-not-used")
    users = User.objects.bulk_create(
        [
            User(
                username=f"member{n}",
                email=f"member{n}@example.eu",
                display_name=f"Member {n}",
                password=password,
                last_login=now,
            )
            for n in range(MEMBERS + 1)
        ],
        batch_size=2000,
    )
    author, members = users[0], users[1:]
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users],
        batch_size=2000,
    )
    until = timezone.localdate() + datetime.timedelta(days=200)
    Profile.objects.bulk_create(
        [Profile(user=u, verified_until=until if u.pk % 10 == 0 else None) for u in users],
        batch_size=2000,
    )
    DigestSubscription.objects.bulk_create(
        [DigestSubscription(user=u) for u in members], batch_size=2000
    )
    group = WorkingGroup.objects.create(name="Bench group", slug="bench-group")
    WorkingGroupMembership.objects.bulk_create(
        [
            WorkingGroupMembership(group=group, user=u, status="member")
            for u in members
            if u.pk % 10 == 3
        ]
    )
    return author, members, group


def seed_forums(author, members, group, *, start, when):
    """Return forums of every audience, tags, and threads with their posts, half of them new."""
    import datetime

    from taggit.models import Tag

    from community.models import Forum, Post, TaggedThread, Thread

    forums = [
        Forum.objects.create(
            name=f"Forum {audience}",
            slug=f"forum-{audience}-{n}",
            audience=audience,
            group=group if audience == "group" else None,
        )
        for n in range(4)
        for audience in ("public", "members", "verified", "group")
    ]
    tags = [Tag.objects.create(name=f"tag{n}", slug=f"tag{n}") for n in range(30)]
    threads = Thread.objects.bulk_create(
        [
            Thread(
                forum=forums[n % len(forums)],
                author=author,
                title=f"Thread {n}",
                slug=f"thread-{n}",
                created_at=when if n % 2 else start - datetime.timedelta(days=30),
                last_activity_at=when + datetime.timedelta(minutes=n),
                post_count=POSTS_PER_THREAD,
            )
            for n in range(THREADS)
        ]
    )
    TaggedThread.objects.bulk_create(
        [TaggedThread(content_object=t, tag=tags[t.pk % len(tags)]) for t in threads]
    )
    Post.objects.bulk_create(
        [
            Post(
                thread=t,
                author=author if number == 1 else members[(t.pk + number) % len(members)],
                number=number,
                body_markdown="A post.",
                body_html="<p>A post.</p>",
                created_at=when + datetime.timedelta(minutes=number),
            )
            for t in threads
            for number in range(1, POSTS_PER_THREAD + 1)
        ],
        batch_size=5000,
    )
    return forums, tags, threads


def seed_case_studies(when):
    """Publish case studies of every class and audience in the period; return the themes."""
    from knowledgebase.models import CaseStudyIndexPage, CaseStudyPage, Theme

    themes = list(Theme.objects.all())
    index = CaseStudyIndexPage.objects.get()
    for n in range(CASE_STUDIES):
        page = CaseStudyPage(
            title=f"Case study {n}",
            slug=f"case-study-{n}",
            classification=["good", "bad", "ugly"][n % 3],
            summary="What happened.",
            audience=["public", "members", "verified"][n % 3],
        )
        page.themes = themes[n % len(themes) : n % len(themes) + 1]
        index.add_child(instance=page)
        page.save_revision().publish()
    CaseStudyPage.objects.update(first_published_at=when)
    return themes


def seed_follows(members, forums, tags, threads, themes):
    """Give each member 1 to 20 random follows of each kind; return how many there are."""
    from community.models import DigestTopic, Follow

    rng = random.Random(4)
    follows, topics = [], []
    for user in members:
        count = rng.randint(1, 20)
        for forum in rng.sample(forums, min(count, len(forums))):
            follows.append(Follow(user=user, forum=forum, level="watching"))
        for tag in rng.sample(tags, min(count, len(tags))):
            follows.append(Follow(user=user, tag=tag, level=rng.choice(["watching", "muted"])))
        for thread in rng.sample(threads, 3):
            follows.append(Follow(user=user, thread=thread, level="watching"))
        for theme in rng.sample(themes, min(count, len(themes))):
            topics.append(DigestTopic(user=user, theme=theme, level="watching"))
    Follow.objects.bulk_create(follows, batch_size=5000)
    DigestTopic.objects.bulk_create(topics, batch_size=5000)
    return len(follows) + len(topics)


def main():
    sys.path.insert(0, str(BASE_DIR))
    from tests.reliability.services import Sink

    sink = Sink(keep=False)
    sink.start()
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG}/{DB_NAME}",
        "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
        "REDIS_URL": "",
        "LOG_LEVEL": "WARNING",
        "DEFAULT_FROM_EMAIL": '"MEDI@4SEC" <noreply@medi4sec.local>',
        "DJANGO_SETTINGS_MODULE": "medi4sec.settings",
    }
    print(f"Preparing {DB_NAME} ...", flush=True)
    fresh_database(env)
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection

    from community.models import DigestDelivery, DigestRun
    from digest import tasks

    started = time.perf_counter()
    follow_count = seed()
    print(
        f"Seeded {MEMBERS:,} members, {THREADS} threads, {THREADS * POSTS_PER_THREAD:,} posts, "
        f"{CASE_STUDIES} case studies, {follow_count:,} follows in "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )
    connection.close()

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        run_id = tasks.send_digests.apply(args=["weekly"]).get()
        elapsed = time.perf_counter() - started
    run = DigestRun.objects.get(pk=run_id)
    sink.stop()
    sent = DigestDelivery.objects.filter(status="sent").count()
    print(f"Digest run: {run.member_count:,} members, {run.sent:,} sent, {run.skipped:,} skipped, "
          f"{run.failed:,} failed; the SMTP sink accepted {sink.accepted:,} messages")  # fmt: skip
    print(f"Time: {elapsed:.1f} s ({elapsed / max(run.member_count, 1) * 1000:.1f} ms per member)")
    print(f"Queries: {queries:,} ({queries / max(run.member_count, 1):.1f} per member)")
    if sent != MEMBERS or sink.accepted != MEMBERS:
        sys.exit("Not every member got exactly one digest")


if __name__ == "__main__":
    main()
