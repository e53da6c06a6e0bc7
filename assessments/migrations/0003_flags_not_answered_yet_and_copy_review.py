from django.db import migrations, models

FLAGS = ("focus", "low_priority", "challenge", "discuss")


def untouched_flags_are_not_answered_yet(apps, schema_editor):
    """Drafts never submitted started their yes/no questions at "no"; those that no save
    ever changed were never answered, so they become "not answered yet" (None)."""
    Assessment = apps.get_model("assessments", "Assessment")
    Answer = apps.get_model("assessments", "Answer")
    for assessment in Assessment.objects.filter(submitted_at__isnull=True).iterator():
        touched = set()
        for changes in assessment.events.values_list("changes", flat=True):
            touched.update(change["field"] for change in changes)
        for answer in Answer.objects.filter(assessment=assessment).select_related(
            "recommendation"
        ):
            number = answer.recommendation.number
            cleared = [
                flag
                for flag in FLAGS
                if getattr(answer, flag) is False and f"r{number}-{flag}" not in touched
            ]
            for flag in cleared:
                setattr(answer, flag, None)
            if cleared:
                answer.save(update_fields=cleared)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0002_history_and_reminders"),
    ]

    operations = [
        migrations.AlterField(
            model_name="assessmentevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("create", "Started"),
                    ("save", "Saved"),
                    ("copy", "Copied last year's answers"),
                    ("submit", "Submitted"),
                    ("reopen", "Reopened"),
                    ("confirm", "Kept copied answers"),
                    ("undo", "Undid a copy of last year's answers"),
                ],
                max_length=10,
            ),
        ),
        migrations.RunPython(untouched_flags_are_not_answered_yet, migrations.RunPython.noop),
    ]
