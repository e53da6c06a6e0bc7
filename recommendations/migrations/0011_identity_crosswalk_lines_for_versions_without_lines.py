"""Writes the crosswalk every derived framework version without lines was read as.

Such a version (derived before crosswalks existed, or made in the console) used to be read
"by number": the previous recommendation of the same number continues, and one whose number
the version lacks is retired. That reading is now written as lines, so that the portal reads
every crosswalk from its lines alone: no lines means that nothing continues. Going back
leaves the lines, which say what the old reading said.
"""

from django.db import migrations


def write_identity_lines(apps, schema_editor):
    Framework = apps.get_model("recommendations", "Framework")
    Recommendation = apps.get_model("recommendations", "Recommendation")
    CrosswalkLink = apps.get_model("recommendations", "CrosswalkLink")
    lined = CrosswalkLink.objects.values("framework_id")
    for framework in Framework.objects.filter(derived_from__isnull=False).exclude(pk__in=lined):
        new = {r.number: r for r in Recommendation.objects.filter(framework=framework)}
        # Historical models save plainly: the framework's updated_at stays, its wording
        # unchanged.
        CrosswalkLink.objects.bulk_create(
            CrosswalkLink(framework=framework, previous=old, recommendation=new.get(old.number))
            for old in Recommendation.objects.filter(
                framework_id=framework.derived_from_id
            ).order_by("number")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0010_level_steps_2024"),
    ]

    operations = [
        migrations.RunPython(write_identity_lines, migrations.RunPython.noop, elidable=False),
    ]
