"""Who reaches what: every URL pattern and API route, for an anonymous visitor, an outsider
(the respondent of another office) and a viewer of the office the URL is about.

A new URL fails ``test_every_url_is_in_the_table`` until its expected access is written here.
"""

import datetime

import pytest
from django.urls import get_resolver, reverse

from exports.models import ExportJob
from exports.services import export_request
from feedback.services import feedback_send
from kpi.services import snapshot_refresh
from portal.api.services import token_create
from practices.services import practice_create, practice_publish
from roadmap.services import action_add
from tests.api import token_client
from tests.factories import make_assessment, make_cycle
from tests.portal.test_urls import named_patterns

pytestmark = pytest.mark.django_db

OK = "reachable"  # answered (2xx, or a redirect that is not to the login page)
LOGIN = "login"  # sent to the login page
REFUSED = "refused"  # 403 or 404
UNAUTHORISED = "401"  # scripts: JSON 401

# name: (method, anonymous, outsider, viewer). URLs are about office AU, the 2025 survey
# (AU and NZ submitted), AU's summary export and the respondent's API token.
TABLE = {
    # Public pages
    "login": ("get", OK, OK, OK),
    "password_reset": ("get", OK, OK, OK),
    "password_reset_done": ("get", OK, OK, OK),
    "password_reset_confirm": ("get", OK, OK, OK),
    "password_reset_complete": ("get", OK, OK, OK),
    "welcome": ("get", OK, OK, OK),
    "set_language": ("post", OK, OK, OK),
    "health": ("get", OK, OK, OK),
    "api_schema": ("get", OK, OK, OK),
    "api_docs": ("get", OK, OK, OK),
    "api_redoc": ("get", OK, OK, OK),
    # Everyone's own pages
    "home": ("get", LOGIN, OK, OK),
    "framework_current": ("get", LOGIN, OK, OK),
    "framework_detail": ("get", LOGIN, OK, OK),
    "logout": ("post", LOGIN, LOGIN, LOGIN),  # logged out, everyone lands on the login page
    "account_profile": ("get", LOGIN, OK, OK),
    "account_language": ("post", LOGIN, OK, OK),  # a redirect back to the account page
    "two_factor_verify": ("get", LOGIN, OK, OK),
    "two_factor_setup": ("get", LOGIN, OK, OK),
    "two_factor_disable": ("post", LOGIN, OK, OK),
    "password_change": ("get", LOGIN, OK, OK),
    "password_change_done": ("get", LOGIN, OK, OK),
    "api_token_create": ("post", LOGIN, OK, OK),
    # The office's pages: its people read them, others do not learn they exist
    "office_home": ("get", LOGIN, REFUSED, OK),
    "office_benchmark": ("get", LOGIN, REFUSED, OK),
    "office_summary_start": ("post", LOGIN, REFUSED, OK),
    "assessment_form": ("get", LOGIN, REFUSED, OK),
    "assessment_review": ("get", LOGIN, REFUSED, OK),
    "assessment_history": ("get", LOGIN, REFUSED, OK),
    "export_job": ("get", LOGIN, REFUSED, OK),
    "export_job_status": ("get", LOGIN, REFUSED, OK),
    "export_job_download": ("get", LOGIN, REFUSED, REFUSED),  # not built yet: 404 to all
    "export_job_retry": ("post", LOGIN, REFUSED, OK),
    "roadmap": ("get", LOGIN, REFUSED, OK),
    "roadmap_history": ("get", LOGIN, REFUSED, OK),
    "feedback_detail": ("get", LOGIN, REFUSED, OK),  # feedback sent by AU
    # Feedback is sent by every office's people, each reading their own office's
    "feedback_list": ("get", LOGIN, OK, OK),
    "feedback_new": ("get", LOGIN, OK, OK),
    # ... and only its respondents change them
    "assessment_autosave": ("post", UNAUTHORISED, REFUSED, REFUSED),
    "assessment_start": ("post", LOGIN, REFUSED, REFUSED),
    "assessment_copy": ("post", LOGIN, REFUSED, REFUSED),
    "assessment_keep_copied": ("post", LOGIN, REFUSED, REFUSED),
    "assessment_undo_copy": ("post", LOGIN, REFUSED, REFUSED),
    "assessment_held_discard": ("post", LOGIN, REFUSED, REFUSED),
    "assessment_reopen_request": ("post", LOGIN, REFUSED, REFUSED),
    "api_token_revoke": ("post", LOGIN, REFUSED, REFUSED),  # the respondent's own token
    "roadmap_action_new": ("get", LOGIN, REFUSED, REFUSED),
    "roadmap_action": ("get", LOGIN, REFUSED, REFUSED),
    "roadmap_action_remove": ("post", LOGIN, REFUSED, REFUSED),
    # The task force's and the secretariat's pages
    "assessment_reopen": ("post", LOGIN, REFUSED, REFUSED),
    "colead_home": ("get", LOGIN, REFUSED, REFUSED),
    "cycle_dashboard": ("get", LOGIN, REFUSED, REFUSED),
    "exports_home": ("get", LOGIN, REFUSED, REFUSED),
    "export_annex_start": ("post", LOGIN, REFUSED, REFUSED),
    "export_data_start": ("post", LOGIN, REFUSED, REFUSED),
    "secretariat_home": ("get", LOGIN, REFUSED, REFUSED),
    "cycle_create": ("get", LOGIN, REFUSED, REFUSED),
    "cycle_detail": ("get", LOGIN, REFUSED, REFUSED),
    "cycle_invite": ("post", LOGIN, REFUSED, REFUSED),
    "cycle_remind": ("post", LOGIN, REFUSED, REFUSED),
    "cycle_remind_all": ("post", LOGIN, REFUSED, REFUSED),
    "survey_import": ("get", LOGIN, REFUSED, REFUSED),
    "audit_log": ("get", LOGIN, REFUSED, REFUSED),
    "audit_log_csv": ("get", LOGIN, REFUSED, REFUSED),
    "framework_copy": ("post", LOGIN, REFUSED, REFUSED),
    "roadmap_figures": ("get", LOGIN, REFUSED, REFUSED),
    "feedback_triage": ("post", LOGIN, REFUSED, REFUSED),
    # Peer learning: the catalogue and a published entry are every office's; an office's
    # practices, openness, partners and requests are its own people's
    "practices_catalogue": ("get", LOGIN, OK, OK),
    "practice_detail": ("get", LOGIN, OK, OK),
    "practice_edit": ("get", LOGIN, REFUSED, REFUSED),
    "practice_state": ("post", LOGIN, REFUSED, REFUSED),
    "practices_task_force": ("get", LOGIN, REFUSED, REFUSED),
    "office_practices": ("get", LOGIN, REFUSED, OK),
    "practice_create": ("get", LOGIN, REFUSED, REFUSED),
    "practices_from_survey": ("post", LOGIN, REFUSED, REFUSED),
    "office_openness": ("get", LOGIN, REFUSED, OK),
    "office_partners": ("get", LOGIN, REFUSED, OK),
    "office_requests": ("get", LOGIN, REFUSED, OK),
    "framework_translations": ("get", LOGIN, REFUSED, REFUSED),
    "framework_translation_edit": ("get", LOGIN, REFUSED, REFUSED),
    "framework_translation_file": ("get", LOGIN, REFUSED, REFUSED),
    "framework_crosswalk": ("get", LOGIN, REFUSED, REFUSED),
    "framework_file": ("get", LOGIN, REFUSED, REFUSED),
    "framework_load": ("get", LOGIN, REFUSED, REFUSED),
    # The API, with a personal token
    "api_frameworks": ("get", UNAUTHORISED, OK, OK),
    "api_framework": ("get", UNAUTHORISED, OK, OK),
    "api_offices": ("get", UNAUTHORISED, OK, OK),
    "api_office": ("get", UNAUTHORISED, REFUSED, OK),
    "api_assessment": ("get", UNAUTHORISED, REFUSED, OK),
    "api_roadmap": ("get", UNAUTHORISED, REFUSED, OK),
    "api_assessment_start": ("post", UNAUTHORISED, REFUSED, REFUSED),
    "api_assessment_submit": ("post", UNAUTHORISED, REFUSED, REFUSED),
    "api_cycles": ("get", UNAUTHORISED, OK, OK),
    "api_cycle": ("get", UNAUTHORISED, OK, OK),
    "api_cycle_kpis": ("get", UNAUTHORISED, REFUSED, REFUSED),
    "api_exports": ("post", UNAUTHORISED, REFUSED, REFUSED),
    "api_export": ("get", UNAUTHORISED, REFUSED, OK),
    "api_export_download": ("get", UNAUTHORISED, REFUSED, REFUSED),
    "api_practices": ("get", UNAUTHORISED, OK, OK),
    "api_practice": ("get", UNAUTHORISED, OK, OK),
    "api_office_openness": ("get", UNAUTHORISED, REFUSED, OK),
    "api_office_partners": ("get", UNAUTHORISED, REFUSED, OK),
}


def test_every_url_is_in_the_table():
    names = {pattern.name for pattern, _arguments in named_patterns(get_resolver())}
    assert names - TABLE.keys() == set(), "say who may reach these new URLs in TABLE"
    assert TABLE.keys() - names == set(), "these URLs are gone: remove them from TABLE"


@pytest.fixture
def world(office, other_office, respondent, viewer):
    cycle = make_cycle(2025, offices=[office, other_office])
    make_assessment(cycle, office, submitted=True)
    make_assessment(cycle, other_office, submitted=True)
    snapshot_refresh(cycle=cycle)
    job, _created = export_request(
        user=viewer, kind=ExportJob.Kind.OFFICE_SUMMARY, cycle=cycle, office=office
    )
    token, _key = token_create(user=respondent, name="script")
    recommendation = cycle.framework.recommendations.get(number=1)
    action = action_add(
        office=office,
        user=respondent,
        recommendation=recommendation,
        text="Plan",
        responsible_unit="ICT",
        due_on=datetime.date(2026, 6, 30),
        status="planned",
    )
    sent = feedback_send(
        user=respondent,
        office=office,
        framework=cycle.framework,
        recommendation=recommendation,
        kind="proposal",
        text="Merge 2, 8 and 9.",
    )
    practice = practice_publish(
        practice=practice_create(
            office=office,
            user=respondent,
            numbers=[10],
            title="AI search",
            summary="Images.",
            kind="system",
            status="completed",
        ),
        user=respondent,
    )
    pks = {
        "api_token_revoke": token.pk,
        "roadmap_action": action.pk,
        "roadmap_action_remove": action.pk,
        "feedback_detail": sent.pk,
        "feedback_triage": sent.pk,
    }
    pks.update(
        dict.fromkeys(
            ["practice_detail", "practice_edit", "practice_state", "api_practice"], practice.pk
        )
    )
    return {
        "code": "AU",
        "year": 2025,
        "version": "2024",
        "language": "fr",
        "uidb64": "MQ",
        "token": "x-y",
        "pk": pks.get,
        "job": job.pk,
    }


def url_of(name: str, world) -> str:
    arguments = {}
    for pattern, names in named_patterns(get_resolver()):
        if pattern.name == name:
            for argument in names:
                if argument == "pk":
                    arguments["pk"] = world["pk"](name) or world["job"]
                else:
                    arguments[argument] = world[argument]
    return reverse(name, kwargs=arguments)


def outcome(response) -> str:
    if response.status_code == 401:
        return UNAUTHORISED
    if response.status_code in (403, 404):
        return REFUSED
    if response.status_code in (301, 302) and "/accounts/login/" in response.get("Location", ""):
        return LOGIN
    assert response.status_code < 400, response.status_code
    return OK


# A valid request, so that the answer is about access, not about the body.
BODIES = {"api_exports": {"kind": "annex", "year": 2025, "symbol": "CWS/14/8"}}


def call(client, method: str, url: str, name: str):
    if method == "get":
        return client.get(url)
    if url.startswith("/api/"):
        return client.post(url, BODIES.get(name, {}), format="json")
    return client.post(url)


@pytest.mark.parametrize("name", sorted(TABLE))
def test_each_person_gets_exactly_their_access(name, world, client, client_of, outsider, viewer):
    method, anonymous, for_outsider, for_viewer = TABLE[name]
    url = url_of(name, world)
    assert outcome(call(client, method, url, name)) == anonymous, f"anonymous on {url}"
    for person, expected in ((outsider, for_outsider), (viewer, for_viewer)):
        browser = token_client(person) if url.startswith("/api/v1/") else client_of(person)
        assert outcome(call(browser, method, url, name)) == expected, f"{person} on {url}"
