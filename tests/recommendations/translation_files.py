"""Translation files for the tests, made from the framework's own file: a complete one has
every text, so the tests derive it rather than keep 200 lines of French by hand."""

import copy

from recommendations.loader import actions_of, read_framework_file

# A few texts in real French, to read on the pages; the rest is marked "[fr]".
FRENCH = {
    "title": (
        "Recommandations relatives aux TIC et à l’administration de la propriété intellectuelle"
    ),
    "short_title_1": "Transformation numérique",
    "statement_1": (
        "Les offices de propriété intellectuelle devraient optimiser leurs modèles "
        "d’activité, leurs cadres juridiques et leurs processus pour l’ère numérique."
    ),
    "level_names": ["Initial", "En développement", "Défini", "Géré", "Optimisé"],
    "status": "État de la mise en œuvre",
}


def translation_file(language: str = "fr", kind: str = "working", **changes) -> dict:
    source = read_framework_file()

    def word(text: str) -> str:
        return f"[{language}] {text}"

    document = {
        "format": "ict-maturity-framework-translation",
        "format_version": 1,
        "framework": "2024",
        "language": language,
        "kind": kind,
        "note": "Made for the tests.",
        "title": FRENCH["title"] if language == "fr" else word(source["title"]),
        "recommendations": [
            {
                "number": item["number"],
                "short_title": word(item["short_title"]),
                "statement": word(item["statement"]),
                "gist": word(item["gist"]),
                "actions": [
                    {"position": position, "text": word(text)}
                    for position, text, _step in actions_of(item)
                ],
                "levels": [
                    {
                        "level": level["level"],
                        "name": FRENCH["level_names"][level["level"] - 1]
                        if language == "fr"
                        else word(level["name"]),
                        "descriptor": word(level["descriptor"]),
                    }
                    for level in item["levels"]
                ],
            }
            for item in source["recommendations"]
        ],
        "questions": {name: word(label) for name, label in source["questions"].items()},
    }
    if language == "fr":
        first = document["recommendations"][0]
        first["short_title"] = FRENCH["short_title_1"]
        first["statement"] = FRENCH["statement_1"]
        document["questions"]["status"] = FRENCH["status"]
    document.update(changes)
    return copy.deepcopy(document)
