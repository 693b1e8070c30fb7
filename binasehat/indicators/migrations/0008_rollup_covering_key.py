from django.db import migrations

CONSTRAINT = "rollup_input_region_month_unique"


def _key(apps, schema_editor, include: str) -> None:
    """The roll-ups' unique key made again with ``include`` (PostgreSQL only; SQLite keeps the plain key)."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    table = connection.ops.quote_name(apps.get_model("indicators", "Rollup")._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(f"ALTER TABLE {table} DROP CONSTRAINT {CONSTRAINT}, ADD CONSTRAINT {CONSTRAINT} "
                    f"UNIQUE (input, region_code, month){include}")


def cover(apps, schema_editor):
    """PostgreSQL: the roll-ups' unique key also holds the value and the count, so that the engine reads an area's
    roll-ups from the index alone (an index-only scan, without visiting the table's pages). The same constraint,
    name and columns."""
    _key(apps, schema_editor, " INCLUDE (value, count)")


def uncover(apps, schema_editor):
    _key(apps, schema_editor, "")


class Migration(migrations.Migration):

    dependencies = [
        ('indicators', '0007_rollup_counts_folded'),
    ]

    operations = [
        migrations.RunPython(cover, uncover),
    ]
