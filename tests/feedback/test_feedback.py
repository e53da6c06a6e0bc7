import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from assessments.services import assessment_save, assessment_submit
from feedback.models import Feedback
from feedback.services import feedback_send, feedback_triage
from outbox.models import OutboxMessage
from tests.assessments.conftest import complete_values
from tests.factories import default_framework, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(respondent, office, framework):
    return feedback_send(
        user=respondent,
        office=office,
        framework=framework,
        recommendation=framework.recommendations.get(number=2),
        kind="proposal",
        text="Merge recommendations 2, 8 and 9.",
    )


def test_an_office_sends_a_proposal_on_a_recommendation(client_of, respondent, framework):
    recommendation = framework.recommendations.get(number=8)
    response = client_of(respondent).post(
        reverse("feedback_new"),
        {"recommendation": recommendation.pk, "kind": "proposal", "text": "Merge with 2."},
    )
    item = Feedback.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "feedback_detail", args=[item.pk]
    )
    assert (item.office.code, item.sender, item.recommendation, item.status, item.source) == (
        "AU",
        respondent,
        recommendation,
        "received",
        "portal",
    )


def test_a_colead_comments_on_the_framework_as_a_whole(client_of, colead, framework):
    client_of(colead).post(reverse("feedback_new"), {"kind": "comment", "text": "Too long."})
    item = Feedback.objects.get()
    assert (item.office, item.recommendation, item.kind) == (None, None, "comment")


def test_someone_with_no_role_cannot_send(client_of, framework):
    nobody = make_person("nobody@example.test")
    assert client_of(nobody).get(reverse("feedback_new")).status_code == 403


def test_the_surveys_proposals_land_in_the_same_list(respondent, draft):
    assessment_save(
        assessment=draft,
        user=respondent,
        base_version=draft.version,
        values={**complete_values(), "proposals": "Add a cloud recommendation."},
    )
    draft.refresh_from_db()
    assessment_submit(assessment=draft, user=respondent, base_version=draft.version)
    item = Feedback.objects.get()
    assert (item.source, item.assessment, item.text, item.sender, item.office) == (
        "survey",
        draft,
        "Add a cloud recommendation.",
        respondent,
        draft.office,
    )
    assert item.created_at == draft.submitted_at  # sent when it was submitted


def test_a_proposal_marked_not_for_publication_on_resubmission_is_no_longer_published(
    respondent, draft, secretariat
):
    from tests.factories import reopen_with_draft_edits

    assessment_save(
        assessment=draft,
        user=respondent,
        base_version=draft.version,
        values={**complete_values(), "proposals": "Add a cloud recommendation."},
    )
    draft.refresh_from_db()
    assessment_submit(assessment=draft, user=respondent, base_version=draft.version)
    feedback_triage(feedback=Feedback.objects.get(), user=secretariat, status="under_review")
    draft.refresh_from_db()
    reopen_with_draft_edits(
        draft, secretariat=secretariat, respondent=respondent, proposals_private=True
    )
    assessment_submit(assessment=draft, user=respondent, base_version=draft.version)
    item = Feedback.objects.get()
    assert item.private is True
    assert item.status == "under_review"  # the same proposal: its triage stands


def test_an_emptied_proposal_once_not_for_publication_stays_unpublished(
    respondent, draft, secretariat
):
    from tests.factories import reopen_with_draft_edits

    assessment_save(
        assessment=draft,
        user=respondent,
        base_version=draft.version,
        values={**complete_values(), "proposals": "Ours only.", "proposals_private": True},
    )
    draft.refresh_from_db()
    assessment_submit(assessment=draft, user=respondent, base_version=draft.version)
    draft.refresh_from_db()
    reopen_with_draft_edits(
        draft, secretariat=secretariat, respondent=respondent, proposals="", proposals_private=False
    )
    assessment_submit(assessment=draft, user=respondent, base_version=draft.version)
    assert Feedback.objects.get().private is True


def test_a_submission_without_proposals_adds_nothing(respondent, draft):
    assessment_save(
        assessment=draft, user=respondent, base_version=draft.version, values=complete_values()
    )
    draft.refresh_from_db()
    assessment_submit(assessment=draft, user=respondent, base_version=draft.version)
    assert not Feedback.objects.exists()


def test_only_the_secretariat_triages(sent, colead):
    with pytest.raises(PermissionDenied):
        feedback_triage(feedback=sent, user=colead, status="under_review")


def test_declining_needs_a_reason_and_taking_needs_a_draft_version(sent, secretariat):
    with pytest.raises(ValidationError):
        feedback_triage(feedback=sent, user=secretariat, status="declined")
    with pytest.raises(ValidationError):
        feedback_triage(feedback=sent, user=secretariat, status="taken")
    sent.refresh_from_db()
    assert sent.status == "received"


def test_the_sender_is_told_through_the_outbox(
    sent, secretariat, respondent, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        feedback_triage(feedback=sent, user=secretariat, status="taken", draft_version="2026-draft")
    message = OutboxMessage.objects.get(task="feedback.tasks.send_triage_notice")
    assert message.args == [sent.pk, "taken"]
    assert [m.to for m in mail.outbox] == [[respondent.email]]
    # Isolated, so that it keeps its order inside an Arabic sentence.
    assert "\u20682026-draft\u2069" in mail.outbox[0].body
    sent.refresh_from_db()
    assert (sent.status, sent.draft_version, sent.triaged_by) == (
        "taken",
        "2026-draft",
        secretariat,
    )


def test_triaging_on_the_page(client_of, secretariat, sent):
    response = client_of(secretariat).post(
        reverse("feedback_triage", args=[sent.pk]),
        {"status": "declined", "decline_reason": "Out of scope."},
    )
    assert response.status_code == 302
    sent.refresh_from_db()
    assert (sent.status, sent.decline_reason) == ("declined", "Out of scope.")


def test_an_office_reads_its_own_feedback_not_others(client_of, outsider, viewer, sent):
    assert client_of(viewer).get(reverse("feedback_detail", args=[sent.pk])).status_code == 200
    assert client_of(outsider).get(reverse("feedback_detail", args=[sent.pk])).status_code == 404
    body = client_of(outsider).get(reverse("feedback_list")).content.decode()
    assert "Merge recommendations" not in body


def test_an_anonymous_visitor_is_sent_to_log_in(client, sent):
    for name, args in (("feedback_list", []), ("feedback_detail", [sent.pk])):
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_co_leads_filter_the_list(client_of, colead, sent, secretariat, other_office, framework):
    nz = make_person("lee@iponz.test", office=other_office)
    feedback_send(
        user=nz,
        office=other_office,
        framework=framework,
        recommendation=None,
        kind="comment",
        text="The framework reads well.",
    )
    feedback_triage(feedback=sent, user=secretariat, status="under_review")
    browser = client_of(colead)
    body = browser.get(reverse("feedback_list"), {"status": "under_review"}).content.decode()
    assert "Merge recommendations" in body and "reads well" not in body
    body = browser.get(reverse("feedback_list"), {"about": "framework"}).content.decode()
    assert "Merge recommendations" not in body and "reads well" in body
    body = browser.get(reverse("feedback_list"), {"office": "nz"}).content.decode()
    assert "Merge recommendations" not in body and "reads well" in body


def test_the_list_reads_in_a_fixed_number_of_queries(
    client_of, colead, office, other_office, respondent, django_assert_max_num_queries
):
    framework = default_framework()
    for number in range(1, 11):
        feedback_send(
            user=respondent,
            office=office,
            framework=framework,
            recommendation=framework.recommendations.get(number=number),
            kind="proposal",
            text=f"Proposal {number}",
        )
    browser = client_of(colead)
    browser.get(reverse("feedback_list"))
    with django_assert_max_num_queries(8):
        assert browser.get(reverse("feedback_list")).status_code == 200
