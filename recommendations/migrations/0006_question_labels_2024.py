from django.db import migrations

from recommendations.loader import load_question_labels, read_framework_file


def load(apps, schema_editor):
    Framework = apps.get_model("recommendations", "Framework")
    QuestionLabel = apps.get_model("recommendations", "QuestionLabel")
    framework = Framework.objects.filter(version="2024").first()
    if framework is None or QuestionLabel.objects.filter(framework=framework).exists():
        return
    load_question_labels(framework, read_framework_file(), QuestionLabel=QuestionLabel)


def unload(apps, schema_editor):
    apps.get_model("recommendations", "QuestionLabel").objects.filter(
        framework__version="2024"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0005_source_wording_into_english")]

    operations = [migrations.RunPython(load, unload)]
