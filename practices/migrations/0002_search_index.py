"""The GIN index that practices.selectors searches through, on PostgreSQL only (SQLite has no
full-text index of this kind; the fallback there scans, which is fine at its scale)."""

from django.db import migrations

INDEX = (
    "CREATE INDEX IF NOT EXISTS practice_search ON practices_practice "
    "USING gin (to_tsvector('simple'::regconfig, search_document))"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INDEX)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS practice_search")


class Migration(migrations.Migration):
    dependencies = [("practices", "0001_practice_catalogue_openness_requests")]
    operations = [migrations.RunPython(create, drop)]
