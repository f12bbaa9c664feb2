"""The SQLite cache: schema, migrations and repositories. No Qt."""
