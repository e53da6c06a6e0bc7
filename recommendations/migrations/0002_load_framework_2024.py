from django.db import migrations

from recommendations.loader import load_framework, read_framework_file


def load(apps, schema_editor):
    Framework = apps.get_model("recommendations", "Framework")
    if Framework.objects.filter(version="2024").exists():
        return
    load_framework(
        read_framework_file("framework_2024.json"),
        status="active",
        models=(
            Framework,
            apps.get_model("recommendations", "Recommendation"),
            apps.get_model("recommendations", "RecommendedAction"),
            apps.get_model("recommendations", "MaturityLevel"),
        ),
    )


def unload(apps, schema_editor):
    apps.get_model("recommendations", "Framework").objects.filter(version="2024").delete()


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
