"""Drop the (contract, last_modified) index: no page or job reads notes in that order, and every
index on the note table is paid by each note the sync writes (about a tenth of its database
time each, measured on 100,000 notes)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('recruiter', '0004_note_search_vector'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='prospectnote',
            name='note_contract_modified',
        ),
    ]
