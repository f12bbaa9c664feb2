"""Cache filling and refresh (no Qt): ``engine`` (SyncEngine), ``writes`` (edits: the API, then
the cache), ``export`` and the ``cli`` commands."""
