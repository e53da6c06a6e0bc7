"""A framework version that is not only digits ("2027-draft") keeps its order on the
right-to-left pages: it is isolated from the Arabic around it, by <bdi> in markup and by
Unicode's own marks (FSI … PDI) inside a translated sentence."""

import pytest
from django.conf import settings
from django.urls import reverse

from recommendations.models import Framework
from tests.factories import framework_merging_2_8_9

pytestmark = pytest.mark.django_db

FSI, PDI = "\u2068", "\u2069"


@pytest.fixture
def arabic_secretariat(client_of, secretariat):
    client = client_of(secretariat)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    return client


@pytest.fixture
def draft(framework):
    return framework_merging_2_8_9("2027-draft", status=Framework.Status.DRAFT)


def test_the_framework_page_in_arabic_isolates_the_draft_version(arabic_secretariat, draft):
    response = arabic_secretariat.get(reverse("framework_detail", args=["2027-draft"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'lang="ar" dir="rtl"' in html
    # The sentence above the title, the tab of the versions and the version it changed from.
    assert f"{FSI}2027-draft{PDI}" in html.split('class="eyebrow"')[1].split("</p>")[0]
    assert "<bdi>2027-draft</bdi>" in html
    changes = html.split('id="changes-heading"')[1].split("</section>")[0]
    assert f"{FSI}2024{PDI}" in changes.split("</h2>")[0]
    # "merged from 2, 8 and 9 of 2024", a sentence put together in Python.
    assert f"{FSI}2024{PDI}" in changes.split("<li")[1].split("</li>")[0]
    assert "2027-draft" not in html.replace(f"{FSI}2027-draft{PDI}", "").replace(
        "<bdi>2027-draft</bdi>", ""
    ).replace("/2027-draft/", "")


def test_the_crosswalk_heading_in_arabic_isolates_both_versions(arabic_secretariat, draft):
    response = arabic_secretariat.get(reverse("framework_crosswalk", args=["2027-draft"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'dir="rtl"' in html
    heading = html.split("<h1")[1].split("</h1>")[0]
    assert f"{FSI}2027-draft{PDI}" in heading
    lead = html.split('class="lead"')[1].split("</p>")[0]
    assert f"{FSI}2027-draft{PDI}" in lead and f"{FSI}2024{PDI}" in lead
