# Seat holders from LinkedIn (name, person URN, state, roles, listed), prospects' links, and the
# seat-user table becoming an explicit model that says how each mapping was made.

from __future__ import annotations

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("recruiter", "0007_connection_check"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="contract",
            name="seats_synced_at",
            field=models.DateTimeField(
                blank=True, help_text="When LinkedIn's seat holders were last read.", null=True
            ),
        ),
        migrations.AddField(
            model_name="contract",
            name="seats_error",
            field=models.TextField(blank=True, help_text="Why the last seat holders read failed."),
        ),
        migrations.AddField(
            model_name="prospect",
            name="url",
            field=models.URLField(
                blank=True,
                db_default="",
                help_text="Where the team keeps this candidate (ATS, profile).",
                max_length=500,
            ),
        ),
        migrations.AlterField(
            model_name="seat",
            name="name",
            field=models.CharField(
                blank=True,
                help_text="Ours; empty: the holder's name.",
                max_length=200,
                verbose_name="display name",
            ),
        ),
        migrations.AddField(
            model_name="seat",
            name="holder_name",
            field=models.CharField(blank=True, db_default="", max_length=200),
        ),
        migrations.AddField(
            model_name="seat",
            name="member",
            field=models.CharField(
                blank=True,
                db_default="",
                db_index=True,
                max_length=200,
                verbose_name="holder's person URN",
            ),
        ),
        migrations.AddField(
            model_name="seat",
            name="state",
            field=models.CharField(blank=True, db_default="", max_length=20),
        ),
        migrations.AddField(
            model_name="seat",
            name="roles",
            field=models.JSONField(blank=True, db_default=[], default=list),
        ),
        migrations.AddField(
            model_name="seat",
            name="listed",
            field=models.BooleanField(db_default=True, default=True),
        ),
        migrations.AddField(
            model_name="seat",
            name="listed_at",
            field=models.DateTimeField(
                blank=True, help_text="When LinkedIn last listed this seat.", null=True
            ),
        ),
        # The table Django made for Seat.users stays (its rows are the mappings admins made);
        # the model that now describes it gains the columns below.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SeatUser",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "seat",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, to="recruiter.seat"
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "seat mapping",
                        "db_table": "recruiter_seat_users",
                        "unique_together": {("seat", "user")},
                    },
                ),
                migrations.AlterField(
                    model_name="seat",
                    name="users",
                    field=models.ManyToManyField(
                        blank=True,
                        help_text="Site users who hold this seat: they see its notes.",
                        related_name="seats",
                        through="recruiter.SeatUser",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="seatuser",
            name="source",
            field=models.CharField(
                choices=[
                    ("manual", "mapped by an admin"),
                    ("auto", "their LinkedIn identity holds the seat"),
                ],
                default="manual",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="seatuser",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.CreateModel(
            name="SeatUserBlock",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "seat",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="blocks",
                        to="recruiter.seat",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "seat mapping removed by hand",
                "constraints": [
                    models.UniqueConstraint(fields=("seat", "user"), name="seat_block_unique")
                ],
            },
        ),
    ]
