"""Push URL per contract: a unique token for every contract, existing ones included.

A callable default on AddField is evaluated once for all existing rows, so the column is
added empty, each existing contract gets its own token, and only then is it made unique.
"""

import django.db.models.deletion
import django.utils.timezone
import recruiter.models
from django.conf import settings
from django.db import migrations, models


def fill_push_tokens(apps, schema_editor):
    Contract = apps.get_model("recruiter", "Contract")
    for contract in Contract.objects.filter(push_token__isnull=True).only("pk"):
        contract.push_token = recruiter.models.new_push_token()
        contract.save(update_fields=["push_token"])


class Migration(migrations.Migration):
    dependencies = [
        ("recruiter", "0012_note_purge_contract_end"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="contract",
            name="integration_status",
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AddField(
            model_name="contract",
            name="integration_status_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="contract",
            name="push_last_event_at",
            field=models.DateTimeField(
                blank=True, help_text="When LinkedIn last delivered a signed push event.", null=True
            ),
        ),
        migrations.AddField(
            model_name="contract",
            name="push_last_validated_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When LinkedIn last validated this contract's push URL.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="contract",
            name="push_token",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(fill_push_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="contract",
            name="push_token",
            field=models.CharField(
                default=recruiter.models.new_push_token, editable=False, max_length=64, unique=True
            ),
        ),
        migrations.CreateModel(
            name="NoteRestore",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("restored_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("deleted_at", models.DateTimeField(blank=True, null=True)),
                ("deleted_by", models.CharField(blank=True, max_length=10)),
                (
                    "note",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="restores",
                        to="recruiter.prospectnote",
                    ),
                ),
                (
                    "restored_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-restored_at", "-id"],
            },
        ),
        migrations.AlterModelOptions(
            name="prospectnote",
            options={
                "ordering": ["-created", "-id"],
                "permissions": [("restore_prospectnote", "Can restore a deleted prospect note")],
            },
        ),
    ]
