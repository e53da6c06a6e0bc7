"""The peer-learning pages, as each person meets them."""

import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from practices import services
from practices.models import ContactRequest, Openness, Practice
from tests import factories


def publish(office, person, title, *, numbers=(10,), **fields):
    values = {"kind": "system", "status": "completed", "summary": f"About {title}.", **fields}
    practice = services.practice_create(
        office=office, user=person, numbers=list(numbers), title=title, **values
    )
    return services.practice_publish(practice=practice, user=person)


def queries(client, url):
    client.get(url)  # the first page of a session also renews it
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_catalogue_finds_an_entry_and_offers_its_filters(
    client_of, respondent, other_office, outsider
):
    publish(other_office, outsider, "Blockchain sync with TMview", tags=["blockchain"])
    page = client_of(respondent).get(reverse("practices_catalogue"), {"q": "blockchain"})
    assert b"Blockchain sync with TMview" in page.content
    assert b"?q=blockchain&amp;tag=blockchain" in page.content or b"tag=blockchain" in page.content


def test_the_catalogue_costs_the_same_queries_for_more_entries(
    client_of, respondent, other_office, outsider
):
    publish(other_office, outsider, "First")
    client = client_of(respondent)
    url = reverse("practices_catalogue") + "?q=about"
    before = queries(client, url)
    for i in range(12):
        publish(other_office, outsider, f"Entry {i}", tags=[f"tag{i}"], numbers=[i % 10 + 1])
    assert queries(client, url) == before


def test_a_hidden_entry_is_gone_for_other_offices_and_kept_for_its_own(
    client_of, respondent, outsider, other_office, secretariat
):
    practice = publish(other_office, outsider, "To hide")
    services.practice_hide(practice=practice, user=secretariat, reason="Vendor prices.")
    url = reverse("practice_detail", args=[practice.pk])
    assert client_of(respondent).get(url).status_code == 404
    own = client_of(outsider).get(url)
    assert own.status_code == 200 and b"Vendor prices." in own.content


def test_a_stale_edit_is_refused_and_the_typed_text_kept(client_of, office, respondent, colleague):
    practice = services.practice_create(
        office=office,
        user=respondent,
        numbers=[4],
        title="Zero trust",
        summary="First.",
        kind="project",
        status="planned",
    )
    services.practice_update(practice=practice, user=colleague, version=1, summary="Colleague's.")
    form = {
        "title": "Zero trust",
        "summary": "Mine, typed in an old tab.",
        "numbers": ["4"],
        "kind": "project",
        "status": "planned",
        "language": "en",
        "visibility": "offices",
        "version": "1",
    }
    page = client_of(respondent).post(reverse("practice_edit", args=[practice.pk]), form)
    assert page.status_code == 200
    assert b"Mine, typed in an old tab." in page.content
    practice.refresh_from_db()
    assert practice.summary == "Colleague's."


def test_a_respondent_describes_a_practice_as_a_draft(client_of, office, respondent):
    form = {
        "title": "Open data portal",
        "summary": "Bulk XML and an API.",
        "numbers": ["5"],
        "kind": "system",
        "status": "completed",
        "language": "en",
        "visibility": "offices",
        "tags": "open data, ST.96",
        "links_text": "https://example.org/data",
        "outcome1_indicator": "API users",
        "outcome1_achieved": "540",
    }
    response = client_of(respondent).post(reverse("practice_create", args=["AU"]), form)
    practice = Practice.objects.get()
    assert response.status_code == 302
    assert practice.state == Practice.State.DRAFT and practice.office == office
    assert practice.links == ["https://example.org/data"]
    assert practice.outcomes.get().achieved == "540"
    assert sorted(practice.tags.values_list("name", flat=True)) == ["open data", "st.96"]


def test_a_link_that_is_not_a_web_address_is_refused(client_of, respondent):
    form = {
        "title": "X",
        "summary": "Y",
        "numbers": ["5"],
        "kind": "system",
        "status": "completed",
        "language": "en",
        "visibility": "offices",
        "links_text": "javascript:alert(1)",
    }
    page = client_of(respondent).post(reverse("practice_create", args=["AU"]), form)
    assert page.status_code == 200
    assert not Practice.objects.exists()


def test_a_viewer_cannot_change_the_openness(client_of, viewer, office):
    response = client_of(viewer).post(reverse("office_openness", args=["AU"]), {"share-10": "on"})
    assert response.status_code == 403
    assert not Openness.objects.exists()


def test_a_request_found_on_the_partner_page_is_accepted_and_both_see_the_contacts(
    client_of, client, office, respondent, other_office, outsider, framework
):
    services.openness_set(office=other_office, user=outsider, choices={10: {"share": True}})
    page = client_of(respondent).get(
        reverse("office_partners", args=["AU"]), {"recommendation": 10, "purpose": "share"}
    )
    assert b"NZ" in page.content and outsider.email.encode() not in page.content

    client_of(respondent).post(
        reverse("office_partners", args=["AU"]) + "?recommendation=10",
        {"target": "NZ", "recommendation": 10, "purpose": "share", "message": "Hello from AU"},
    )
    request = ContactRequest.objects.get()
    assert (
        client_of(respondent)
        .get(reverse("office_requests", args=["AU"]))
        .content.count(outsider.email.encode())
        == 0
    )

    client.logout()
    client_of(outsider).post(
        reverse("office_requests", args=["NZ"]), {"request": request.pk, "action": "accept"}
    )
    request.refresh_from_db()
    assert request.state == ContactRequest.State.ACCEPTED
    assert (
        respondent.email.encode()
        in client_of(outsider).get(reverse("office_requests", args=["NZ"])).content
    )
    client.logout()
    assert (
        outsider.email.encode()
        in client_of(respondent).get(reverse("office_requests", args=["AU"])).content
    )


def test_an_office_cannot_answer_a_request_it_sent(
    client_of, respondent, office, other_office, outsider
):
    services.openness_set(office=other_office, user=outsider, choices={10: {"share": True}})
    request = services.contact_request_send(
        seeker=office,
        target=other_office,
        number=10,
        purpose="share",
        message="Hi",
        user=respondent,
    )
    response = client_of(respondent).post(
        reverse("office_requests", args=["AU"]), {"request": request.pk, "action": "accept"}
    )
    assert response.status_code == 404
    request.refresh_from_db()
    assert request.state == ContactRequest.State.PENDING


def test_the_partner_page_costs_the_same_queries_for_more_candidates(
    client_of, respondent, framework
):
    client = client_of(respondent)
    url = reverse("office_partners", args=["AU"]) + "?recommendation=10&purpose=share"

    def add(code):
        office = factories.make_office(code)
        person = factories.make_person(f"cio@{code.lower()}.test", office=office)
        services.openness_set(office=office, user=person, choices={10: {"share": True}})
        publish(office, person, f"Practice of {code}")

    add("NZ")
    before = queries(client, url)
    for code in ("FR", "DE", "ES", "IT", "PT"):
        add(code)
    assert queries(client, url) == before


def test_the_task_force_page_and_its_download(client_of, colead, office, respondent, framework):
    services.openness_set(office=office, user=respondent, choices={10: {"share": True}})
    client = client_of(colead)
    page = client.get(reverse("practices_task_force"))
    assert page.status_code == 200
    book = load_workbook(
        io.BytesIO(client.get(reverse("practices_task_force") + "?format=xlsx").content)
    )
    rows = list(book.active.values)
    assert rows[10][0] == 10 and rows[10][3] == 1  # recommendation 10: one office open to share


def test_the_task_force_page_costs_the_same_queries_for_more_offices(client_of, colead, framework):
    def add(code):
        office = factories.make_office(code)
        person = factories.make_person(f"cio@{code.lower()}.test", office=office)
        services.openness_set(office=office, user=person, choices={10: {"share": True}})
        publish(office, person, f"Practice of {code}")

    client = client_of(colead)
    add("FR")
    before = queries(client, reverse("practices_task_force"))
    for code in ("DE", "ES", "IT"):
        add(code)
    assert queries(client, reverse("practices_task_force")) == before


def test_a_stale_tab_never_reopens_a_consent_a_colleague_withdrew(
    client_of, client, office, respondent, colleague, framework
):
    services.openness_set(office=office, user=respondent, choices={10: {"share": True}})
    url = reverse("office_openness", args=["AU"])
    old_tab = client_of(respondent).get(url).context["seen"]
    client.logout()
    services.openness_set(office=office, user=colleague, choices={10: {"share": False}})

    page = client_of(respondent).post(url, {"seen": old_tab, "share-10": "on"}, follow=True)

    assert not Openness.objects.get(office=office, number=10).share
    assert "nothing was saved" in page.content.decode()


def test_the_openness_page_saves_what_it_showed(client_of, office, respondent, framework):
    client = client_of(respondent)
    url = reverse("office_openness", args=["AU"])
    seen = client.get(url).context["seen"]
    client.post(url, {"seen": seen, "joint-3": "on", "languages": ["es", "xx"]})
    row = Openness.objects.get(office=office, number=3)
    assert (row.share, row.joint) == (False, True)
    assert office.peer_profile.languages == ["es"]
