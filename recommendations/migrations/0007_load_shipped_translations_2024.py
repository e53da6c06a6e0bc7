"""The working translations of the 2024 framework shipped with the portal
(``recommendations/data/translations/framework_2024.<language>.json``)."""

from types import SimpleNamespace

from django.db import migrations


def load(apps, schema_editor):
    from recommendations.exchange import translations_load_shipped

    models = SimpleNamespace(
        **{
            name: apps.get_model("recommendations", name)
            for name in (
                "Framework",
                "Recommendation",
                "RecommendedAction",
                "MaturityLevel",
                "QuestionLabel",
                "FrameworkTranslation",
            )
        }
    )
    if not models.Framework.objects.filter(version="2024").exists():
        return
    translations_load_shipped(version="2024", models=models)


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0006_question_labels_2024")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
