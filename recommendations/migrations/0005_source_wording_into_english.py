"""The wording stored so far is the English source: it moves into the English columns.

modeltranslation's columns start empty (NULL); from now on the plain columns are no longer
read, and a text is shown from its language's column, else from the English one.
"""

from django.db import migrations
from django.db.models import F

TRANSLATED = {
    "Framework": ("title",),
    "Recommendation": ("short_title", "statement", "gist"),
    "RecommendedAction": ("text",),
    "MaturityLevel": ("name", "descriptor"),
}


def copy_into_english(apps, schema_editor):
    for model_name, fields in TRANSLATED.items():
        model = apps.get_model("recommendations", model_name)
        for field in fields:
            model.objects.filter(**{f"{field}_en__isnull": True}).update(
                **{f"{field}_en": F(field)}
            )


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0004_framework_translations")]

    operations = [migrations.RunPython(copy_into_english, migrations.RunPython.noop)]
