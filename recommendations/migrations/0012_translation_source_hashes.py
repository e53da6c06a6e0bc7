"""Each translated text records the English it translates, so that a translation older than
its source is found (``selectors.stale_translations``). The translations already there are
taken to translate today's English: nothing is flagged on upgrade."""

from types import SimpleNamespace

from django.db import migrations, models


def record(apps, schema_editor):
    from recommendations.wording import translated_source_hashes

    historical = SimpleNamespace(
        **{
            name: apps.get_model("recommendations", name)
            for name in (
                "Framework",
                "Recommendation",
                "RecommendedAction",
                "MaturityLevel",
                "QuestionLabel",
            )
        }
    )
    FrameworkTranslation = apps.get_model("recommendations", "FrameworkTranslation")
    for translation in FrameworkTranslation.objects.select_related("framework"):
        translation.source_hashes = translated_source_hashes(
            translation.framework, translation.language, historical
        )
        translation.save(update_fields=["source_hashes"])


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0011_identity_crosswalk_lines_for_versions_without_lines"),
    ]

    operations = [
        migrations.AddField(
            model_name="frameworktranslation",
            name="source_hashes",
            field=models.JSONField(
                blank=True, default=dict, verbose_name="hashes of the English translated"
            ),
        ),
        migrations.RunPython(record, migrations.RunPython.noop),
    ]
