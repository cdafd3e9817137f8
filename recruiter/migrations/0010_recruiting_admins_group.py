"""The "Recruiting admins" group recruiter.permissions checks for, so that an admin grants the
role by ticking it in the user admin instead of guessing its name.

The name is written here, not imported: a migration must keep meaning what it meant.
"""

from __future__ import annotations

from django.db import migrations

NAME = "Recruiting admins"


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=NAME)


def delete_group(apps, schema_editor):
    # Only an empty group: reversing the migration must not take the role away from anyone.
    group = apps.get_model("auth", "Group").objects.filter(name=NAME).first()
    if group is not None and not group.user_set.exists():
        group.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("recruiter", "0009_note_counters"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
