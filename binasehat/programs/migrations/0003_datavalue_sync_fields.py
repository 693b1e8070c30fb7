"""DataValue: DHIS2 2.40's bookkeeping (created, lastUpdated indexed, soft delete, storedBy, followup, long
comments) and a version for optimistic concurrency."""

import django.utils.timezone
from django.db import migrations, models
from django.db.models import F


def fill(apps, schema_editor):
    DataValue = apps.get_model("programs", "DataValue")
    DataValue.objects.update(created=F("last_updated"))
    User = apps.get_model("accounts", "User") if "accounts" in apps.app_configs else None
    if User is not None:
        for user_id, username in User.objects.filter(
                pk__in=DataValue.objects.values("updated_by_id")).values_list("pk", "username"):
            DataValue.objects.filter(updated_by_id=user_id).update(stored_by=username)


class Migration(migrations.Migration):

    dependencies = [
        ("programs", "0002_validation"),
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.RenameField("datavalue", "updated_at", "last_updated"),
        migrations.AlterField("datavalue", "last_updated", models.DateTimeField(
            db_index=True, default=django.utils.timezone.now, verbose_name="diubah")),
        migrations.AlterField("datavalue", "comment", models.TextField(blank=True, verbose_name="catatan")),
        migrations.AddField("datavalue", "created", models.DateTimeField(
            default=django.utils.timezone.now, verbose_name="dibuat")),
        migrations.AddField("datavalue", "deleted", models.BooleanField(default=False, verbose_name="dihapus")),
        migrations.AddField("datavalue", "followup", models.BooleanField(
            default=False, verbose_name="perlu tindak lanjut")),
        migrations.AddField("datavalue", "stored_by", models.CharField(
            blank=True, max_length=255, verbose_name="disimpan oleh")),
        migrations.AddField("datavalue", "version", models.PositiveIntegerField(default=1, verbose_name="versi")),
        migrations.AlterModelOptions("datavalue", {"base_manager_name": "all_objects", "verbose_name": "nilai data",
                                                   "verbose_name_plural": "nilai data"}),
        migrations.AlterModelManagers("datavalue", [("objects", models.Manager()),
                                                    ("all_objects", models.Manager())]),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
