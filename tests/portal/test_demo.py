import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessments.models import Assessment, Cycle
from portal.accounts.models import User
from portal.accounts.two_factor import secret_base32
from portal.demo import DEMO_OFFICE, DEMO_PASSWORD, DEMO_TOTP_KEYS, LOGINS
from portal.offices.models import Office, Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, capsys):
    settings.DEBUG = True
    call_command("demo", "--no-serve")
    return capsys.readouterr().out


def test_the_demo_prints_one_login_per_role(demo):
    assert DEMO_PASSWORD in demo
    for login in LOGINS:
        assert login.email in demo
    for role in ("office respondent", "office viewer", "co-lead", "secretariat"):
        assert role in demo


def test_the_demo_has_forty_real_offices_from_every_region(demo):
    assert Office.objects.count() == 40
    regions = set(Office.objects.values_list("region", flat=True))
    assert regions == set(Region.values)


def test_the_demo_has_three_past_cycles_and_an_open_one_with_a_draft(demo):
    cycles = list(Cycle.objects.order_by("year"))
    assert len(cycles) == 4
    assert [cycle.state for cycle in cycles] == ["closed", "closed", "closed", "open"]
    for past in cycles[:3]:
        submitted = Assessment.objects.filter(cycle=past, status="submitted")
        assert 25 <= submitted.count() <= 40
        assert all(a.answers.count() == 10 for a in submitted.prefetch_related("answers"))
        assert all(a.version == 2 and a.events.filter(kind="submit").exists() for a in submitted)
    draft = Assessment.objects.get(cycle=cycles[3], office__code=DEMO_OFFICE)
    assert draft.status == Assessment.Status.DRAFT
    assert 0 < draft.answers.exclude(status="").count() < 10


def test_offices_differ_and_improve_over_the_years(demo):
    from django.db.models import Avg

    means = [
        Assessment.objects.filter(cycle__year=year, status="submitted").aggregate(
            mean=Avg("answers__maturity_current")
        )["mean"]
        for year in Cycle.objects.order_by("year").values_list("year", flat=True)[:3]
    ]
    assert means[0] < means[2]
    per_office = (
        Assessment.objects.filter(status="submitted")
        .values("office")
        .annotate(mean=Avg("answers__maturity_current"))
        .values_list("mean", flat=True)
    )
    assert max(per_office) - min(per_office) > 1


def test_offices_that_propose_something_each_say_it_in_their_own_words(demo):
    from feedback.models import Feedback

    proposals = list(Assessment.objects.exclude(proposals="").values_list("proposals", flat=True))
    assert len(proposals) >= 8
    assert len(set(proposals)) == len(proposals)
    from_the_survey = Feedback.objects.filter(source=Feedback.Source.SURVEY)
    assert sorted(from_the_survey.values_list("text", flat=True)) == sorted(
        Assessment.objects.filter(status="submitted")
        .exclude(proposals="")
        .values_list("proposals", flat=True)
    )


def test_running_the_demo_again_keeps_the_data(demo, capsys):
    call_command("demo", "--no-serve")
    assert "kept as it is" in capsys.readouterr().out
    assert Office.objects.count() == 40
    assert User.objects.count() == len(LOGINS)


def test_the_demo_refuses_to_run_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only with DEBUG on"):
        call_command("demo", "--no-serve")
    assert not User.objects.exists()


def test_the_demo_colead_and_secretariat_have_an_authenticator_with_a_printed_key(demo):
    for email, key in DEMO_TOTP_KEYS.items():
        device = TOTPDevice.objects.get(user__email=email, confirmed=True)
        assert device.key == key
        assert secret_base32(device) in demo
    assert "manage.py totp_code EMAIL" in demo


@pytest.mark.parametrize(
    ("addrport", "site_url"),
    [
        ("127.0.0.1:8113", "http://127.0.0.1:8113"),
        ("8113", "http://localhost:8113"),
        ("0.0.0.0:9000", "http://localhost:9000"),
        ("[::1]:8113", "http://[::1]:8113"),
    ],
)
def test_e_mail_links_lead_to_where_the_demo_serves(settings, monkeypatch, addrport, site_url):
    from django.conf import settings as live

    from assessments.notifications import _absolute as absolute_url

    monkeypatch.delenv("SITE_URL", raising=False)
    settings.DEBUG = True
    call_command("demo", addrport, "--no-serve")
    assert site_url == live.SITE_URL
    assert absolute_url("/accounts/login/") == f"{site_url}/accounts/login/"


def test_a_site_url_given_to_the_demo_is_kept(settings, monkeypatch):
    from django.conf import settings as live

    monkeypatch.setenv("SITE_URL", "https://demo.example.org")
    settings.DEBUG = True
    settings.SITE_URL = "https://demo.example.org"
    call_command("demo", "127.0.0.1:8113", "--no-serve")
    assert live.SITE_URL == "https://demo.example.org"


def test_the_demo_office_has_a_roadmap_in_every_state_and_feedback_is_triaged(demo):
    from feedback.models import Feedback
    from roadmap.models import RoadmapAction

    statuses = set(
        RoadmapAction.objects.filter(roadmap__office__code=DEMO_OFFICE).values_list(
            "status", flat=True
        )
    )
    assert statuses == {"planned", "in_progress", "done", "dropped"}
    assert set(Feedback.objects.values_list("status", flat=True)) >= {
        "received",
        "under_review",
        "taken",
        "declined",
    }
    assert Feedback.objects.filter(source="survey").exists()


def test_the_demo_has_a_draft_version_merging_2_8_and_9_as_the_office_proposed(demo):
    from feedback.models import Feedback
    from recommendations.crosswalk import MERGED
    from recommendations.models import Framework
    from recommendations.selectors import crosswalk_of, crosswalk_problems

    draft = Framework.objects.get(status=Framework.Status.DRAFT)
    walk = crosswalk_of(draft)
    assert walk.sources[2] == (2, 8, 9) and walk.relation(2) == MERGED
    assert walk.sources[8] == (10,)
    assert crosswalk_problems(draft) == []
    assert Feedback.objects.get(status="taken").draft_version == draft.version
