"""What is wrong with a document or a submitted form, and where: one type for the survey
file, the framework file, the translation file and a framework's crosswalk, so that a page
lists them all the same way."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """``place`` as the file says it (``assessments[3].answers[1].status``,
    ``crosswalk[3].previous``). A crosswalk's problem also names the previous or the new
    recommendation number it is about, so that its page can show it beside its row."""

    place: str
    message: str
    previous: int | None = None
    recommendation: int | None = None

    def __str__(self) -> str:
        return f"{self.place}: {self.message}"
