import re

import pytest
from django.urls import reverse

from exports.models import ExportJob
from exports.services import export_request
from tests.factories import SESSION_QUERIES, make_cycle, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def annex_job(survey, secretariat):
    job, _created = export_request(
        user=secretariat,
        kind=ExportJob.Kind.ANNEX,
        cycle=survey,
        parameters={"symbol": "CWS/14/8", "date": "2026-03-02"},
    )
    return job


@pytest.fixture
def summary_job(survey, office, respondent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job, _created = export_request(
            user=respondent, kind=ExportJob.Kind.OFFICE_SUMMARY, cycle=survey, office=office
        )
    job.refresh_from_db()
    return job


def job_urls(job):
    return {
        name: reverse(name, args=[job.pk])
        for name in ("export_job", "export_job_status", "export_job_download")
    }


def test_the_secretariat_builds_an_annex_from_the_page(
    client_of, secretariat, survey, django_capture_on_commit_callbacks
):
    client = client_of(secretariat)
    page = client.get(reverse("exports_home")).content.decode()
    assert "Build the annex" in page and "No export yet" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("export_annex_start"),
            {"cycle": survey.pk, "symbol": "CWS/14/8", "date": "2026-03-02"},
        )
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("export_job", args=[job.pk])
    # In the language the page was read in, unless another was chosen.
    assert job.parameters == {"symbol": "CWS/14/8", "date": "2026-03-02", "language": "en"}
    assert client.get(reverse("export_job_status", args=[job.pk])).json()["state"] == "done"
    page = client.get(reverse("export_job", args=[job.pk])).content.decode()
    assert "Download CWS-14-8-annex-2025.pdf" in page
    download = client.get(reverse("export_job_download", args=[job.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_bad_symbol_is_answered_beside_the_field_and_nothing_starts(
    client_of, secretariat, survey
):
    response = client_of(secretariat).post(
        reverse("export_annex_start"),
        {"cycle": survey.pk, "symbol": "<script>", "date": "2026-03-02"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Use letters, digits, slashes, dots, hyphens and spaces only." in html
    assert 'value="&lt;script&gt;"' in html
    assert not ExportJob.objects.exists()


def test_asking_twice_leads_to_the_job_under_way(client_of, secretariat, survey, annex_job):
    response = client_of(secretariat).post(
        reverse("export_annex_start"),
        {"cycle": survey.pk, "symbol": "CWS/14/8", "date": "2026-03-02"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("export_job", args=[annex_job.pk])
    assert "already under way" in response.content.decode()
    assert ExportJob.objects.count() == 1


def test_a_running_job_shows_its_progress(client_of, secretariat, annex_job):
    ExportJob.objects.filter(pk=annex_job.pk).update(
        state="running", progress=42, step="Laying out the pages"
    )
    client = client_of(secretariat)
    html = client.get(reverse("export_job", args=[annex_job.pk])).content.decode()
    assert '<progress id="job-progress" max="100" value="42">' in html
    assert "Laying out the pages" in html
    status = client.get(reverse("export_job_status", args=[annex_job.pk])).json()
    assert status == {
        "state": "running",
        "state_label": "Running",
        "progress": 42,
        "step": "Laying out the pages",
        "error": "",
        "download": None,
    }
    assert client.get(reverse("export_job_download", args=[annex_job.pk])).status_code == 404


def test_a_failed_job_shows_why_and_offers_a_retry(
    client_of, secretariat, annex_job, django_capture_on_commit_callbacks
):
    ExportJob.objects.filter(pk=annex_job.pk).update(state="failed", error="Disk full.")
    client = client_of(secretariat)
    html = client.get(reverse("export_job", args=[annex_job.pk])).content.decode()
    assert "The export failed." in html and "Disk full." in html and "Try again" in html
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("export_job_retry", args=[annex_job.pk]))
    annex_job.refresh_from_db()
    assert (annex_job.state, annex_job.error) == ("done", "")


def test_a_co_lead_exports_data_but_not_the_annex(
    client_of, colead, survey, django_capture_on_commit_callbacks
):
    client = client_of(colead)
    page = client.get(reverse("exports_home")).content.decode()
    assert "Build the annex" not in page and "Export the data" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("export_data_start"), {"cycle": survey.pk, "format": "csv"})
    job = ExportJob.objects.get()
    assert (job.kind, job.state, job.requested_by) == ("csv", "done", colead)
    refused = client.post(
        reverse("export_annex_start"), {"cycle": survey.pk, "symbol": "X", "date": "2026-01-01"}
    )
    assert refused.status_code == 403
    assert ExportJob.objects.count() == 1


def test_a_co_lead_does_not_see_annex_jobs(client_of, colead, annex_job):
    client = client_of(colead)
    assert "CWS/14/8" not in client.get(reverse("exports_home")).content.decode()
    for url in job_urls(annex_job).values():
        assert client.get(url).status_code == 404


def test_an_office_asks_for_its_summary_from_its_pages(
    client_of, viewer, survey, office, django_capture_on_commit_callbacks
):
    client = client_of(viewer)
    page = client.get(reverse("office_benchmark", args=[office.code, survey.year]))
    assert "Summary as PDF" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("office_summary_start", args=[office.code, survey.year]))
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("export_job", args=[job.pk])
    assert (job.kind, job.office, job.state) == ("office_summary", office, "done")
    download = client.get(reverse("export_job_download", args=[job.pk]))
    assert download["Content-Disposition"].endswith('"AU-2025-summary.pdf"')


def test_a_reopened_assessments_summary_is_offered_as_its_submitted_answers(
    client_of, respondent, secretariat, survey, office, django_capture_on_commit_callbacks
):
    from exports.output import submitted_versions
    from tests.factories import reopen_with_draft_edits

    reopen_with_draft_edits(
        survey.assessments.get(office=office),
        secretariat=secretariat,
        respondent=respondent,
        **{"r1-status_comment": "Work in progress."},
    )
    client = client_of(respondent)
    home = client.get(reverse("office_home", args=[office.code])).content.decode()
    assert "Summary PDF of the submitted answers" in home
    benchmark = client.get(reverse("office_benchmark", args=[office.code, survey.year]))
    assert "Your answers as submitted on 1 October 2025, without the changes made since" in (
        benchmark.content.decode()
    )

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("office_summary_start", args=[office.code, survey.year]))

    job = ExportJob.objects.get()
    assert (job.kind, job.state, job.error) == ("office_summary", "done", "")
    assert (job.answers, job.answers_hash) == submitted_versions(survey, office)


def test_a_draft_never_submitted_offers_no_summary(client_of, survey):
    # EP has only a draft in the survey.
    person = make_person("cio@ep.test", office=survey.invitations.get(office__code="EP").office)
    page = client_of(person).get(reverse("office_benchmark", args=["EP", survey.year]))
    assert page.status_code == 200
    assert "Summary as PDF" not in page.content.decode()


def test_an_office_has_no_summary_of_an_unsubmitted_cycle(client_of, respondent, office):
    make_cycle(2024, offices=[office])
    response = client_of(respondent).post(reverse("office_summary_start", args=["AU", 2024]))
    assert response.status_code == 404
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("who", ["outsider", "outside_viewer", "colead"])
def test_another_office_cannot_ask_for_a_summary(request, client_of, survey, who):
    if who == "outside_viewer":
        person = make_person(
            "viewer@nz.test", office=request.getfixturevalue("other_office"), member_role="viewer"
        )
    else:
        person = request.getfixturevalue(who)
    response = client_of(person).post(reverse("office_summary_start", args=["AU", survey.year]))
    assert response.status_code in (403, 404)
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("who", ["outsider", "outside_viewer", "colead"])
def test_another_office_cannot_reach_a_summary_job(request, client_of, summary_job, who):
    if who == "outside_viewer":
        person = make_person(
            "viewer@nz.test", office=request.getfixturevalue("other_office"), member_role="viewer"
        )
    else:
        person = request.getfixturevalue(who)
    client = client_of(person)
    for url in job_urls(summary_job).values():
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("export_job_retry", args=[summary_job.pk])).status_code == 404


def test_an_anonymous_visitor_reaches_no_job(client, summary_job):
    for url in [
        *job_urls(summary_job).values(),
        reverse("export_job_retry", args=[summary_job.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_offices_own_people_reach_its_summary(client_of, summary_job, colleague, viewer):
    for person in (colleague, viewer):
        response = client_of(person).get(reverse("export_job_download", args=[summary_job.pk]))
        assert response.status_code == 200


def test_offices_have_no_exports_page(client_of, respondent):
    assert client_of(respondent).get(reverse("exports_home")).status_code == 403


def test_the_exports_page_reads_a_bounded_number_of_queries(
    client_of, secretariat, survey, django_assert_max_num_queries
):
    client = client_of(secretariat)
    for year in (2021, 2022, 2023):
        make_cycle(year)
    for index in range(12):
        export_request(
            user=secretariat,
            kind=ExportJob.Kind.ANNEX,
            cycle=survey,
            parameters={"symbol": f"CWS/14/{index}", "date": "2026-03-02"},
        )
    with django_assert_max_num_queries(14 + SESSION_QUERIES):
        response = client.get(reverse("exports_home"))
    assert response.content.decode().count("CWS/14/") >= 12


def test_the_date_field_is_filled_in_french_too(client_of, secretariat, survey):
    client = client_of(secretariat)
    client.post(reverse("set_language"), {"language": "fr"})
    html = client.get(reverse("exports_home")).content.decode()
    assert 'type="date"' in html
    assert re.search(r'name="date" value="\d{4}-\d{2}-\d{2}"', html)


def test_the_year_tabs_choose_the_survey_and_no_drop_down_repeats_them(
    client_of, secretariat, survey
):
    make_cycle(2026)
    client = client_of(secretariat)
    page = client.get(reverse("exports_home"), {"year": 2025}).content.decode()
    assert '<select name="cycle"' not in page
    assert page.count(f'<input type="hidden" name="cycle" value="{survey.pk}"') == 2
    assert "Exports of the 2025 survey." in page


def test_the_annex_form_offers_the_six_languages_each_named_in_itself(
    client_of, secretariat, survey
):
    client = client_of(secretariat)
    client.post(reverse("set_language"), {"language": "fr"})
    page = client.get(reverse("exports_home")).content.decode()
    for code, name in [("ar", "العربية"), ("zh-hans", "中文"), ("ru", "Русский")]:
        assert f'<option value="{code}" lang="{code}">{name}</option>' in page
    assert '<option value="fr" selected lang="fr">Français</option>' in page


def test_the_secretariat_asks_for_an_arabic_annex(client_of, secretariat, survey):
    client_of(secretariat).post(
        reverse("export_annex_start"),
        {"cycle": survey.pk, "symbol": "CWS/14/8", "date": "2026-03-02", "language": "ar"},
    )
    assert ExportJob.objects.get().parameters["language"] == "ar"
