"""The secretariat builds the committee annex in a real browser."""

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from assessments.models import Cycle
from exports import services
from exports.models import ExportJob
from portal.demo import DEMO_PASSWORD, seed_demo
from tests.browser.conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_framework"),
]


def test_the_secretariat_starts_an_annex_watches_it_and_downloads_it(page, tmp_path):
    seed_demo()
    year = Cycle.objects.filter(assessments__status="submitted").order_by("-year").first().year
    log_in(page, "secretariat@wipo.example", DEMO_PASSWORD)
    page.get_by_role("link", name="Exports", exact=True).first.click()
    page.get_by_role("link", name=str(year), exact=True).click()
    page.get_by_label("Document symbol").fill("CWS/14/8")
    page.get_by_label("Date on the title page").fill("2026-03-02")
    # Without a broker the job is built once the click is answered: the progress is seen.
    page.get_by_role("button", name="Build the annex").click()
    expect(page.locator("#job-progress")).to_be_visible(timeout=3000)
    expect(page.locator("#job")).to_contain_text("Done", timeout=60000)
    with page.expect_download() as download:
        page.get_by_role("link", name=f"Download CWS-14-8-annex-{year}.pdf").click()
    path = tmp_path / "annex.pdf"
    download.value.save_as(path)
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    assert len(reader.pages) >= 8
    assert "Summary of survey responses" in reader.pages[0].extract_text()

    # A job that a worker has yet to run: the page follows it as the worker moves on.
    job = ExportJob.objects.create(
        kind=ExportJob.Kind.ANNEX,
        cycle=Cycle.objects.get(year=year),
        parameters={"symbol": "CWS/14/9", "date": "2026-03-02"},
        request_key="browser-test",
        requested_by=None,
        step="Waiting for a worker",
    )
    page.goto(f"/exports/{job.pk}/")
    expect(page.get_by_role("progressbar")).to_have_attribute("value", "0")
    job = services.export_claim(job_id=job.pk)
    services._progress_writer(job)(40, "Laying out the pages")
    expect(page.get_by_role("progressbar")).to_have_attribute("value", "40")
    expect(page.locator("#job")).to_contain_text("Laying out the pages")
    services.export_run(job=job)
    expect(page.get_by_role("link", name=f"Download CWS-14-9-annex-{year}.pdf")).to_be_visible()
    page.get_by_role("link", name="Exports").first.click()
    expect(page.locator("table.jobs")).to_contain_text("CWS/14/9")
