"""The sheet page is no longer cached: its stamp ("sheets") is no longer read or
bumped (core.stamps)."""

from django.db import migrations


def delete_sheets_stamp(apps, schema_editor):
    apps.get_model("core", "DataStamp").objects.filter(key="sheets").delete()


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(delete_sheets_stamp, migrations.RunPython.noop),
    ]
