from django.db import migrations


def copy_connected_members(apps, schema_editor):
    """Users who connected LinkedIn before identities existed are those members."""
    LinkedInAccount = apps.get_model("recommendations", "LinkedInAccount")
    LinkedInIdentity = apps.get_model("accounts", "LinkedInIdentity")
    LinkedInIdentity.objects.bulk_create(
        LinkedInIdentity(user_id=a.user_id, person_urn=a.person_urn, name=a.name)
        for a in LinkedInAccount.objects.all()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_identities"),
        ("recommendations", "0001_initial"),
    ]

    operations = [migrations.RunPython(copy_connected_members, migrations.RunPython.noop)]
