"""Finding partner offices: an explainable ranking, no opaque model.

For a seeker office, a recommendation ``n`` and a purpose (``share``: learn from an office's
experience; ``joint``: work jointly with an office at a similar level), the candidates are the
offices open on ``n`` for that purpose, never the seeker itself. Each gets a score between 0
and 1, the weighted sum of these parts, and the reasons behind every part that counts:

=============  ======  ====================================================================
part           weight  1 when…
=============  ======  ====================================================================
maturity       0.40    share: its level on ``n`` reaches the seeker's target (0.8 if it is
                       two or more above it: far ahead is less relatable; 0.5 if it is only
                       above the seeker's level). joint: the same level (0.6 one apart).
practices      0.20    it has published three or more practices on ``n`` that the seeker may
                       read (a completed one counts 1, a planned or ongoing one 0.5).
text           0.15    five or more words of the seeker's own comments on ``n`` (status,
                       challenge, low priority) occur in those practices.
languages      0.10    it works in a language the seeker works in.
reciprocity    0.05    the seeker is ahead of it on another recommendation it is open on.
region         0.05    the same region.
office type    0.05    the same type (national or regional).
=============  ======  ====================================================================

What may be read of a candidate: only its level on recommendations it has opened (for either
purpose), from its last *submitted* assessment; its published practices as the seeker may read
them in the catalogue. An office that has not opened ``n`` is not a candidate, so nothing about
it is read at all. The seeker's own answers (its draft included) are its own.
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessments.models import Answer, Assessment
from assessments.submissions import submitted_answers
from portal.offices.models import Office
from practices.models import ContactRequest, Openness, PeerProfile, Practice, PracticeNumber

WEIGHTS = {
    "maturity": 0.40,
    "practices": 0.20,
    "text": 0.15,
    "languages": 0.10,
    "reciprocity": 0.05,
    "region": 0.05,
    "office_type": 0.05,
}
WORD = re.compile(r"\w{4,}", re.UNICODE)
# Words too common in ICT comments to say two offices work on the same thing.
COMMON = {
    "with",
    "that",
    "this",
    "from",
    "have",
    "will",
    "been",
    "were",
    "their",
    "there",
    "which",
    "office",
    "offices",
    "system",
    "systems",
    "project",
    "projects",
    "data",
    "implementation",
    "under",
    "into",
    "more",
    "also",
    "some",
    "such",
    "other",
    "being",
    "plan",
    "planned",
}


@dataclass
class Level:
    current: int | None = None
    target: int | None = None
    comments: str = ""
    challenge: bool = False


@dataclass
class Match:
    office: Office
    score: float
    parts: dict
    reasons: list[str] = field(default_factory=list)
    practices: list = field(default_factory=list)
    level: int | None = None
    pending_request: bool = False


def own_levels(office: Office) -> dict[int, Level]:
    """The office's own answers per recommendation (its draft too: its own data), each from the
    newest assessment that gives a level for it, so that a draft begun this week does not hide
    last year's levels."""
    levels: dict[int, Level] = {}
    answers = (
        Answer.objects.filter(assessment__office=office)
        .select_related("recommendation")
        .order_by("-assessment__cycle__year")
    )
    for answer in answers:
        number = answer.recommendation.number
        if number in levels and levels[number].current is not None:
            continue
        if answer.maturity_current is None and number in levels:
            continue
        levels[number] = Level(
            current=answer.maturity_current,
            target=answer.maturity_target,
            comments=" ".join(
                [answer.status_comment, answer.challenge_comment, answer.low_priority_comment]
            ),
            challenge=bool(answer.challenge),
        )
    return levels


def proposed_numbers(levels: dict[int, Level]) -> list[int]:
    """The recommendations to look for partners on first: the largest gaps between target and
    level, then the ones reported as challenges."""

    def gap(item):
        number, level = item
        distance = (level.target or 0) - (level.current or 0) if level.current else 0
        return (-max(distance, 0), not level.challenge, number)

    ranked = sorted(levels.items(), key=gap)
    return [n for n, level in ranked if (gap((n, level))[0] < 0 or level.challenge)]


def _opened_levels(office_ids: list[int], opened: dict[int, set[int]]) -> dict[int, dict[int, int]]:
    """Each candidate's levels, from its last submitted assessment, on the recommendations it
    has opened only."""
    latest = {}
    for assessment in (
        Assessment.objects.filter(office_id__in=office_ids, submitted_at__isnull=False)
        .order_by("office_id", "-cycle__year")
        .only("pk", "office_id", "reopened_at", "status", "version")
    ):
        latest.setdefault(assessment.office_id, assessment)
    if not latest:
        return {}
    levels: dict[int, dict[int, int]] = {pk: {} for pk in office_ids}

    def keep(office_id, number, level):
        if level and number in opened.get(office_id, ()):
            levels[office_id][number] = level

    # A submitted assessment's stored answers are its submission: read just the levels. Only a
    # reopened one needs its submitted version replayed from the history.
    reopened = [a for a in latest.values() if a.status != Assessment.Status.SUBMITTED]
    settled = [a.pk for a in latest.values() if a.status == Assessment.Status.SUBMITTED]
    for office_id, number, level in Answer.objects.filter(assessment_id__in=settled).values_list(
        "assessment__office_id", "recommendation__number", "maturity_current"
    ):
        keep(office_id, number, level)
    if reopened:
        office_of = {a.pk: a.office_id for a in reopened}
        for answer in submitted_answers(Assessment.objects.filter(pk__in=office_of)):
            keep(
                office_of[answer.assessment_id],
                answer.recommendation.number,
                answer.maturity_current,
            )
    return levels


def _maturity(purpose: str, mine: Level, theirs: int | None) -> float:
    if theirs is None or mine.current is None:
        return 0.0
    if purpose == ContactRequest.Purpose.JOINT:
        return {0: 1.0, 1: 0.6}.get(abs(theirs - mine.current), 0.0)
    target = mine.target if mine.target and mine.target > mine.current else min(mine.current + 1, 5)
    if theirs >= target:
        return 1.0 if theirs - target <= 1 else 0.8
    return 0.5 if theirs > mine.current else 0.0


def _words(text: str) -> set[str]:
    return {w for w in WORD.findall(text.casefold()) if w not in COMMON}


def partners(*, seeker: Office, number: int, purpose: str, user) -> list[Match]:
    """The offices open on ``number`` for ``purpose``, best first, each with its reasons."""
    flag = "share" if purpose == ContactRequest.Purpose.SHARE else "joint"
    candidates = list(
        Office.objects.filter(openness__number=number, **{f"openness__{flag}": True})
        .exclude(pk=seeker.pk)
        .distinct()
    )
    if not candidates:
        return []
    ids = [o.pk for o in candidates]
    opened: dict[int, set[int]] = {}
    for row in Openness.objects.filter(office_id__in=ids):
        if row.is_open:
            opened.setdefault(row.office_id, set()).add(row.number)
    their_levels = _opened_levels(ids, opened)
    mine_all = own_levels(seeker)
    mine = mine_all.get(number, Level())
    practices: dict[int, list[Practice]] = {}
    for practice in (
        Practice.objects.readable_by(user)
        .filter(
            state=Practice.State.PUBLISHED,
            office_id__in=ids,
            pk__in=PracticeNumber.objects.filter(number=number).values("practice_id"),
        )
        .only("pk", "office_id", "title", "status", "language", "search_document")
        .order_by("-status", "-published_at")
    ):
        practices.setdefault(practice.office_id, []).append(practice)
    languages = dict(
        PeerProfile.objects.filter(office_id__in=[*ids, seeker.pk]).values_list(
            "office_id", "languages"
        )
    )
    my_languages = set(languages.get(seeker.pk) or [])
    my_words = _words(mine.comments)
    pending = set(
        ContactRequest.objects.filter(
            seeker=seeker, number=number, purpose=purpose, state=ContactRequest.State.PENDING
        ).values_list("target_id", flat=True)
    )
    matches = []
    for office in candidates:
        levels = their_levels.get(office.pk, {})
        level = levels.get(number)
        parts, reasons = {}, []
        parts["maturity"] = _maturity(purpose, mine, level)
        if level is not None:
            reasons.append(_level_reason(number, level, mine))
        own = practices.get(office.pk, [])
        weight = sum(1.0 if p.status == Practice.Status.COMPLETED else 0.5 for p in own)
        parts["practices"] = min(weight / 3, 1.0)
        if own:
            completed = [p for p in own if p.status == Practice.Status.COMPLETED]
            shown = completed or own
            # Each title isolated (FSI … PDI): an English title in an Arabic sentence keeps
            # its own direction, and the punctuation around it stays where it belongs.
            titles = ", ".join(f"\u2068{p.title}\u2069" for p in shown[:2])
            if completed:
                reasons.append(
                    ngettext(
                        "%(count)s completed practice: %(titles)s",
                        "%(count)s completed practices: %(titles)s",
                        len(completed),
                    )
                    % {"count": len(completed), "titles": titles}
                )
            else:
                reasons.append(
                    ngettext(
                        "%(count)s practice: %(titles)s",
                        "%(count)s practices: %(titles)s",
                        len(own),
                    )
                    % {"count": len(own), "titles": titles}
                )
        shared_words = (
            my_words & set().union(*(_words(p.search_document) for p in own)) if own else set()
        )
        parts["text"] = min(len(shared_words) / 5, 1.0)
        if shared_words:
            reasons.append(
                _("its practices speak of what your comments do: %(words)s")
                % {"words": ", ".join(sorted(shared_words)[:4])}
            )
        common = my_languages & set(languages.get(office.pk) or [])
        parts["languages"] = 1.0 if common else 0.0
        if common:
            reasons.append(
                _("works in %(languages)s") % {"languages": ", ".join(_language_names(common))}
            )
        ahead = sorted(
            m
            for m, theirs in levels.items()
            if m != number and mine_all.get(m) and (mine_all[m].current or 0) > theirs
        )
        parts["reciprocity"] = 1.0 if ahead else 0.0
        if ahead:
            reasons.append(
                _("you are ahead on recommendation %(numbers)s, which it is open on: both can gain")
                % {"numbers": ", ".join(str(m) for m in ahead[:3])}
            )
        parts["region"] = 1.0 if office.region and office.region == seeker.region else 0.0
        if parts["region"]:
            reasons.append(_("same region"))
        parts["office_type"] = 1.0 if office.office_type == seeker.office_type else 0.0
        score = round(sum(WEIGHTS[k] * v for k, v in parts.items()), 3)
        matches.append(
            Match(
                office=office,
                score=score,
                parts=parts,
                reasons=reasons,
                practices=own,
                level=level,
                pending_request=office.pk in pending,
            )
        )
    matches.sort(key=lambda m: (-m.score, m.office.code))
    return matches


def _level_reason(number: int, level: int, mine: Level) -> str:
    if mine.current and mine.target:
        return _(
            "level %(level)s on recommendation %(number)s, yours is %(current)s, target %(target)s"
        ) % {"level": level, "number": number, "current": mine.current, "target": mine.target}
    if mine.current:
        return _("level %(level)s on recommendation %(number)s, yours is %(current)s") % {
            "level": level,
            "number": number,
            "current": mine.current,
        }
    return _("level %(level)s on recommendation %(number)s") % {"level": level, "number": number}


def _language_names(codes) -> list[str]:
    from django.utils.translation import get_language_info

    names = []
    for code in sorted(codes):
        try:
            names.append(str(get_language_info(code)["name_translated"]))
        except KeyError:
            names.append(code)
    return names
