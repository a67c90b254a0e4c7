"""A bare Django project for ``make bench``: the scale the portal's figures are read against.

No middleware and none of the portal's apps: one settings module, two views (hello world, and
the same 50 rows as the portal's reference page, read with the ORM through unmanaged models of
the portal's tables), served by the same gunicorn configuration in the same run.
"""
