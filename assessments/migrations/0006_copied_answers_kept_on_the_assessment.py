from django.db import migrations, models


def copied_from_history(apps, schema_editor):
    """The answers each assessment shows as copied, as its history said until now: those
    whose last history entry is a copy of last year's answers."""
    Assessment = apps.get_model("assessments", "Assessment")
    AssessmentEvent = apps.get_model("assessments", "AssessmentEvent")
    copied = AssessmentEvent.objects.filter(kind="copy").values("assessment_id")
    for assessment in Assessment.objects.filter(pk__in=copied).iterator():
        last_kind = {}
        events = AssessmentEvent.objects.filter(assessment=assessment).order_by("version", "pk")
        for kind, changes in events.values_list("kind", "changes"):
            for change in changes:
                last_kind[change["field"]] = kind
        assessment.copied_keys = sorted(k for k, kind in last_kind.items() if kind == "copy")
        assessment.save(update_fields=["copied_keys"])


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0005_language_of_answers"),
    ]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="copied_keys",
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
        migrations.RunPython(copied_from_history, migrations.RunPython.noop),
    ]
