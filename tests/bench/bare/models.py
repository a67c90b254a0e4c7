"""The portal's thread and member tables, read as they are (unmanaged: no migrations)."""

from django.db import models


class Member(models.Model):
    username = models.CharField(max_length=150)
    display_name = models.CharField(max_length=80)

    class Meta:
        managed = False
        db_table = "community_user"

    def __str__(self):
        return self.get_display_name()

    def get_display_name(self):
        return self.display_name or self.username


class Thread(models.Model):
    author = models.ForeignKey(Member, on_delete=models.DO_NOTHING, null=True)
    title = models.CharField(max_length=200)
    post_count = models.PositiveIntegerField()
    last_activity_at = models.DateTimeField()

    class Meta:
        managed = False
        db_table = "community_thread"

    def __str__(self):
        return self.title
