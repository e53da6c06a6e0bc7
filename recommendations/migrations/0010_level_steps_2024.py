"""The step of the maturity matrix each recommended action of the shipped 2024 framework
typically moves an office across, from its file (``recommendations/data/framework_2024.json``).

The 2024 framework may already be frozen (submitted against): the steps are guidance, not
its wording (``RecommendedAction.guidance_fields``), so they are set on it in place.
"""

from django.db import migrations
from django.utils import timezone

from recommendations.loader import actions_of, read_framework_file


def set_steps(apps, schema_editor):
    Framework = apps.get_model("recommendations", "Framework")
    RecommendedAction = apps.get_model("recommendations", "RecommendedAction")
    data = read_framework_file("framework_2024.json")
    framework = Framework.objects.filter(version=data["version"]).first()
    if framework is None:
        return
    for item in data["recommendations"]:
        for position, text, step in actions_of(item):
            # The action as shipped: one the secretariat reworded is left for it to place.
            RecommendedAction.objects.filter(
                recommendation__framework=framework,
                recommendation__number=item["number"],
                position=position,
                text_en=text,
            ).update(moves_from_level=step)
    # The form's cached sections are keyed by the framework's stamp: they now show the path.
    Framework.objects.filter(pk=framework.pk).update(updated_at=timezone.now())


def clear_steps(apps, schema_editor):
    RecommendedAction = apps.get_model("recommendations", "RecommendedAction")
    RecommendedAction.objects.filter(recommendation__framework__version="2024").update(
        moves_from_level=None
    )


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0009_action_moves_from_level")]

    operations = [migrations.RunPython(set_steps, clear_steps)]
