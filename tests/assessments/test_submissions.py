"""The last submitted version of a reopened assessment, read from its history."""

import pytest

from assessments import services
from assessments.submissions import submitted_answers, submitted_assessments, submitted_version
from tests.assessments.conftest import DRAFT_EDITS
from tests.factories import make_assessment, reopen_with_draft_edits

pytestmark = pytest.mark.django_db


def revise(assessment, secretariat, respondent):
    return reopen_with_draft_edits(
        assessment, secretariat=secretariat, respondent=respondent, **DRAFT_EDITS
    )


def test_a_reopened_assessment_reads_as_it_was_submitted(submitted, secretariat, respondent):
    revised = revise(submitted, secretariat, respondent)
    version = submitted_version(revised)
    answers = {answer.recommendation.number: answer for answer in version.answers.all()}
    assert (answers[1].status, answers[1].status_comment) == ("ongoing", "As submitted.")
    assert answers[2].focus is False
    assert (version.proposals, version.status, version.version) == ("Sent.", "submitted", 3)
    assert version.being_revised
    revised.refresh_from_db()
    assert revised.proposals == "Half-written."  # the draft itself is untouched


def test_a_submitted_version_cannot_be_written_over_the_draft(submitted, secretariat, respondent):
    version = submitted_version(revise(submitted, secretariat, respondent))
    with pytest.raises(TypeError):
        version.save()
    with pytest.raises(TypeError):
        version.answers.all()[0].save()


def test_the_batch_readers_agree_with_the_single_one(submitted, secretariat, respondent):
    revise(submitted, secretariat, respondent)
    answers = submitted_answers(type(submitted).objects.filter(pk=submitted.pk))
    assert {a.recommendation.number: a.status for a in answers}[1] == "ongoing"
    (assessment,) = submitted_assessments(type(submitted).objects.filter(pk=submitted.pk))
    assert (assessment.proposals, assessment.version, assessment.being_revised) == (
        "Sent.",
        3,
        True,
    )


def test_a_resubmission_is_the_new_submitted_version(submitted, secretariat, respondent):
    revised = revise(submitted, secretariat, respondent)
    services.assessment_submit(assessment=revised, user=respondent, base_version=revised.version)
    version = submitted_version(revised)
    assert version.proposals == "Half-written." and not version.being_revised


def test_a_second_reopening_reads_the_second_submission(submitted, secretariat, respondent):
    revised = revise(submitted, secretariat, respondent)
    services.assessment_submit(assessment=revised, user=respondent, base_version=revised.version)
    revised.refresh_from_db()
    again = reopen_with_draft_edits(
        revised, secretariat=secretariat, respondent=respondent, proposals="Third try."
    )
    assert submitted_version(again).proposals == "Half-written."


def test_an_imported_submission_reopened_reads_as_imported(
    open_cycle, other_office, secretariat, outsider
):
    # Imported and demo submissions have no recorded submission: the reopening is the anchor.
    imported = make_assessment(
        open_cycle, other_office, submitted=True, r1={"status": "implemented"}
    )
    revised = reopen_with_draft_edits(
        imported, secretariat=secretariat, respondent=outsider, **{"r1-status": "considering"}
    )
    answers = {a.recommendation.number: a for a in submitted_version(revised).answers.all()}
    assert answers[1].status == "implemented"
