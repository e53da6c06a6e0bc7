"""Stored e-mail addresses in the form that logins now look up exactly (NFKC, case folded:
portal.accounts.models.email_normalised, copied here as it was when this ran)."""

import unicodedata

from django.db import migrations


def email_normalised(typed: str) -> str:
    folded = unicodedata.normalize("NFKC", typed.strip()).casefold()
    return unicodedata.normalize("NFKC", folded)


def normalise_emails(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    changed = {}
    for pk, email in User.objects.values_list("pk", "email"):
        if email_normalised(email) != email:
            changed[pk] = email_normalised(email)
    if not changed:
        return
    taken = dict(
        User.objects.filter(email__in=changed.values())
        .exclude(pk__in=changed)
        .values_list("email", "pk")
    )
    seen = {}
    clashes = []
    for pk, email in changed.items():
        other = taken.get(email) or seen.get(email)
        if other is not None:
            clashes.append(f"accounts {other} and {pk} are both {email}")
        seen[email] = pk
    if clashes:
        # Merging two people's accounts is a decision for the secretariat, not a migration.
        raise RuntimeError(
            "Two accounts have the same e-mail address once letter case and Unicode forms "
            "are ignored. Give one of each pair another address (manage.py shell), then "
            "migrate again: " + "; ".join(clashes)
        )
    for pk, email in changed.items():
        User.objects.filter(pk=pk).update(email=email)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(normalise_emails, migrations.RunPython.noop),
    ]
