"""Loads a framework from its JSON description (``data/framework_2024.json``).

Takes the model classes as arguments so that a data migration can pass its
historical models.
"""

import json
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


def read_framework_file(name: str = "framework_2024.json") -> dict:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def load_framework(data: dict, *, status: str, models) -> object:
    Framework, Recommendation, RecommendedAction, MaturityLevel = models
    framework = Framework.objects.create(
        version=data["version"],
        title=data["title"],
        document_symbol=data.get("document_symbol", ""),
        adopted_on=data.get("adopted_on"),
        source_note=data.get("source_note", ""),
        status=status,
    )
    for item in data["recommendations"]:
        recommendation = Recommendation.objects.create(
            framework=framework,
            number=item["number"],
            short_title=item["short_title"],
            statement=item["statement"],
            gist=item.get("gist", ""),
        )
        RecommendedAction.objects.bulk_create(
            RecommendedAction(recommendation=recommendation, position=position, text=text)
            for position, text in enumerate(item["actions"], start=1)
        )
        MaturityLevel.objects.bulk_create(
            MaturityLevel(
                recommendation=recommendation,
                level=level["level"],
                name=level["name"],
                descriptor=level["descriptor"],
            )
            for level in item["levels"]
        )
    return framework
