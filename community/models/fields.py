"""Model fields shared by the apps built on the community (search vectors)."""

from django.contrib.postgres import search


class SearchVectorField(search.SearchVectorField):
    """PostgreSQL's ``tsvector``; an unused text column on SQLite, the embedded default.

    ``django.contrib.postgres`` is only installed on PostgreSQL, so its check is skipped here.
    """

    def db_type(self, connection):
        return "tsvector" if connection.vendor == "postgresql" else "text"

    def _check_postgres_installed(self, *args):
        return []
