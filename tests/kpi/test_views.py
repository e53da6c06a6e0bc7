import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from kpi import charts
from kpi.models import OfficeFigures
from kpi.services import snapshot_refresh
from portal.cache import forget_kept
from portal.offices import st3
from portal.offices.models import Office
from tests.factories import SESSION_QUERIES, make_assessment, make_cycle, make_office

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_charts_from_another_test():
    cache.clear()


ASIA_PACIFIC = ["JP", "KR", "SG", "MY", "PH", "CN", "IN"]
EUROPE = ["DE", "FR", "ES", "PL", "SE"]


def survey(office, codes, year=2025):
    offices = [office, *(make_office(code) for code in codes)]
    cycle = make_cycle(year, offices=offices)
    for index, each in enumerate(offices):
        make_assessment(
            cycle,
            each,
            submitted=True,
            r1={"status": "implemented" if index % 2 else "ongoing", "maturity_current": 3},
        )
    snapshot_refresh(cycle=cycle)
    return cycle


def benchmark(client, year=2025, code="AU"):
    return client.get(reverse("office_benchmark", kwargs={"code": code, "year": year}))


def test_an_office_sees_its_answers_beside_groups_of_five_or_more(client_of, respondent, office):
    survey(office, ASIA_PACIFIC + EUROPE)
    html = benchmark(client_of(respondent)).content.decode()
    assert "All responding offices: 13 offices" in html
    assert "Asia and the Pacific: 8 offices" in html
    assert "National office: 13 offices" in html
    assert "not shown" not in html
    published = OfficeFigures.objects.get().published_at
    assert (
        f"Figures of other offices as last published on {published:%-d %B %Y, %H:%M} (UTC), "
        "from the answers of 13 offices." in html
    )


def test_a_group_of_five_with_the_office_in_it_is_never_shown(client_of, viewer, office):
    survey(office, ["DE", "FR", "ES", "NZ", "PL", "SG", "KR"])  # AU, NZ, SG, KR: 3 others
    response = benchmark(client_of(viewer))
    html = response.content.decode()
    assert "All responding offices: 8 offices" in html
    assert "Asia and the Pacific: not shown" in html
    assert "Fewer than 5 offices besides yours are in this group: its figures are not shown" in html
    groups = dict(response.context["groups"])
    assert groups["Asia and the Pacific"].figures is None


def test_nothing_is_shown_when_fewer_than_five_offices_answered(client_of, respondent, office):
    survey(office, ["DE", "FR"])
    response = benchmark(client_of(respondent))
    assert all(peer.figures is None for _label, peer in response.context["groups"])
    assert "67 %" not in response.content.decode()


def test_all_offices_minus_national_offices_cannot_reveal_the_regional_ones(
    client_of, respondent, office
):
    # The issue: all 13, national 10, regional 3. All minus national gave the regional
    # offices' answers exactly; national offices are now hidden beside all offices.
    national = ["JP", "KR", "SG", "DE", "FR", "ES", "PL", "US", "BR"]
    cycle = make_cycle(2025, offices=[office])
    for each in [office, *(make_office(code) for code in national)]:
        make_assessment(cycle, each, submitted=True, r1={"status": "implemented"})
    for each in ("EP", "EM", "AP"):
        make_assessment(cycle, make_office(each), submitted=True, r1={"status": "not_planned"})
    snapshot_refresh(cycle=cycle)

    response = benchmark(client_of(respondent))

    html = response.content.decode()
    assert "All responding offices: 13 offices" in html
    assert "National office: not shown" in html
    assert "Hidden because it would reveal a smaller group" in html
    assert "77 %" in html  # 10 of 13 adopted R1; the 3 regional offices stay unknown
    assert dict(response.context["groups"])["National office"].figures is None


def test_the_page_reads_the_same_before_and_after_one_more_submission(
    client_of, respondent, office
):
    today = timezone.localdate()
    offices = [office, *(make_office(code) for code in [*ASIA_PACIFIC, *EUROPE])]
    cycle = make_cycle(
        today.year, offices=offices, opens_on=today, closes_on=today + datetime.timedelta(30)
    )
    for each in offices[:-1]:
        make_assessment(cycle, each, submitted=True, r1={"status": "implemented"})
    snapshot_refresh(cycle=cycle)
    client = client_of(respondent)
    before = benchmark(client, year=today.year)

    make_assessment(cycle, offices[-1], submitted=True, r1={"status": "not_planned"})
    snapshot_refresh(cycle=cycle)

    after = benchmark(client, year=today.year)
    assert after.context["view"] == before.context["view"]
    assert after.context["rows"] == before.context["rows"]
    assert "All responding offices: 12 offices" in after.content.decode()


def test_another_office_and_an_anonymous_visitor_are_refused(client_of, client, outsider, office):
    survey(office, ASIA_PACIFIC)
    assert benchmark(client_of(outsider)).status_code == 404
    client.logout()
    response = benchmark(client)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_benchmark_takes_a_fixed_number_of_queries(
    client_of, respondent, office, django_assert_max_num_queries
):
    client = client_of(respondent)
    survey(office, EUROPE)
    with django_assert_max_num_queries(14 + SESSION_QUERIES) as few:
        benchmark(client)
    survey(office, [*ASIA_PACIFIC, "US", "CA", "BR", "MX"], year=2026)
    with django_assert_max_num_queries(len(few.captured_queries)):
        benchmark(client, year=2026)


def dashboard(client, year=2025, **filters):
    return client.get(reverse("cycle_dashboard", args=[year]), filters)


def test_a_colead_sees_every_question_the_priority_signal_and_the_heatmap(
    client_of, colead, office
):
    survey(office, ASIA_PACIFIC + EUROPE)
    html = dashboard(client_of(colead)).content.decode()
    for heading in (
        "Implementation status (Q2)",
        "Current focus (Q4)",
        "Low priority (Q5)",
        "Big implementation challenge (Q6)",
        "To discuss at future meetings (Q8)",
        "Maturity",
        "Priority signal",
        "Offices by recommendation",
    ):
        assert heading in html
    assert html.count("<svg") >= 7
    assert "Show the table behind the chart" in html
    assert ">AU<" in html  # the heatmap row of the office


def test_the_filters_pick_a_group_and_the_heatmap_switches(client_of, secretariat, office):
    survey(office, [*ASIA_PACIFIC, "DE", "FR", "ES"])  # co-leads see small groups too
    client = client_of(secretariat)
    europe = dashboard(client, region="europe")
    assert europe.context["group"]["respondents"] == 3
    assert ">AU<" not in europe.content.decode()
    both = dashboard(client, region="asia_pacific", type="national")
    assert both.context["group"]["respondents"] == 8
    maturity = dashboard(client, heatmap="maturity").content.decode()
    assert "Current maturity level by office" in maturity


@pytest.mark.parametrize("person", ["respondent", "viewer", "outsider"])
def test_offices_never_reach_the_dashboard(client_of, request, person, office):
    survey(office, ASIA_PACIFIC)
    response = dashboard(client_of(request.getfixturevalue(person)))
    assert response.status_code == 403
    assert b"Priority signal" not in response.content


def test_the_dashboard_takes_a_fixed_number_of_queries(
    client_of, colead, office, django_assert_max_num_queries
):
    client = client_of(colead)
    survey(office, EUROPE)
    # Drawing reads the snapshot's document too, and the framework's wording is read once
    # for every page that shows it; a request that finds them does not.
    with django_assert_max_num_queries(14) as few:
        dashboard(client)
    survey(office, [*ASIA_PACIFIC, "US", "CA", "BR", "MX"], year=2026)
    with django_assert_max_num_queries(len(few.captured_queries)):
        dashboard(client, year=2026)


def test_a_one_office_region_is_marked_as_a_small_group_and_the_headline_follows(
    client_of, colead, office
):
    survey(office, [*ASIA_PACIFIC, "DE"])
    response = dashboard(client_of(colead), region="europe")
    html = response.content.decode()
    assert response.context["respondents"] == 1
    assert "responding office in this selection" in html
    assert "of 9 responding in all" in html
    assert "Small group" in html
    assert "these figures rest on 1 office only" in html
    # Every chart says on how many offices it rests, in the page and in the SVG.
    assert html.count("Based on 1 responding office.") >= 6
    assert "9 responding offices" not in html.split("kpi-strip")[1].split("</ul>")[0]


def test_a_group_of_five_is_not_marked_small(client_of, colead, office):
    survey(office, ASIA_PACIFIC + EUROPE)
    html = dashboard(client_of(colead), region="europe").content.decode()
    assert "Based on 5 responding offices." in html
    assert "Small group" not in html


def test_year_tabs_and_the_heatmap_switch_keep_the_filter(client_of, colead, office):
    survey(office, EUROPE, year=2024)
    cycle = make_cycle(2025, offices=[office])
    make_assessment(cycle, office, submitted=True, r1={"status": "implemented"})
    snapshot_refresh(cycle=cycle)
    client = client_of(colead)
    html = dashboard(client, year=2024, region="europe", type="national").content.decode()
    assert f'href="{reverse("cycle_dashboard", args=[2025])}?region=europe&amp;type=national"' in (
        html
    )
    assert "?region=europe&amp;type=national&amp;heatmap=maturity#heatmap" in html


def test_an_empty_result_offers_to_clear_the_filters(client_of, colead, office):
    survey(office, EUROPE)
    html = dashboard(client_of(colead), region="africa").content.decode()
    assert "No office of this group has submitted in this cycle." in html
    assert f'href="{reverse("cycle_dashboard", args=[2025])}">Clear filters' in html


def test_heatmap_rows_link_to_the_assessment_and_columns_are_named(client_of, colead, office):
    cycle = survey(office, EUROPE)
    first = cycle.framework.recommendations.order_by("number").first()
    html = dashboard(client_of(colead)).content.decode()
    heatmap = html[html.index('id="heatmap-status"') :]
    review = reverse("assessment_review", args=["AU", 2025])
    assert f'<a href="{review}"><title>AU</title>' in heatmap
    name = f"1. {first.short_title}"
    assert f"<title>{name}</title>" in heatmap  # the column header's tooltip
    assert f">{name}</text>" in heatmap  # the key under the grid
    # The hover text says each thing once.
    assert f"<title>AU, {name}: Ongoing implementation</title>" in heatmap
    assert "AU, 1: AU" not in heatmap


def test_a_rising_challenge_or_low_priority_share_is_not_green(client_of, colead, office):
    offices = [office, *(make_office(code) for code in EUROPE)]
    for year, flagged in ((2024, False), (2025, True)):
        cycle = make_cycle(year, offices=offices)
        for each in offices:
            make_assessment(
                cycle,
                each,
                submitted=True,
                r1={
                    "status": "ongoing" if flagged else "considering",
                    "maturity_current": 3 if flagged else 2,
                    "challenge": flagged,
                    "low_priority": flagged,
                    "focus": flagged,
                },
            )
        snapshot_refresh(cycle=cycle)
    html = dashboard(client_of(colead)).content.decode()
    trend = html[html.index('id="trend"') : html.index('id="heatmap"')]
    row = trend[trend.index('<th scope="row">1.') :].split("</tr>")[0]
    assert row.count('class="up worse"') == 4  # low priority and challenge, both columns
    assert row.count('class="up better"') == 4  # adoption and maturity
    assert row.count('class="up neutral"') == 2  # focus


@pytest.fixture
def drawings(monkeypatch):
    """How many charts the renderer drew (wrapping it, to count its calls)."""
    calls = []
    for name in ("bars", "stacked_bars", "heatmap"):
        draw = getattr(charts, name)

        def counted(*args, _draw=draw, _name=name, **kwargs):
            calls.append(_name)
            return _draw(*args, **kwargs)

        monkeypatch.setattr(charts, name, counted)
    return calls


def test_charts_are_drawn_once_per_snapshot_filter_and_language(
    client_of, colead, office, drawings
):
    cycle = survey(office, EUROPE)
    client = client_of(colead)
    dashboard(client)
    assert "heatmap" in drawings and len(drawings) >= 11  # 6 panels, wide and narrow, heatmap
    drawings.clear()
    assert dashboard(client).status_code == 200
    assert drawings == []  # the snapshot has not changed: nothing is drawn again
    dashboard(client, region="europe")
    assert drawings  # another filter is drawn once
    drawings.clear()
    dashboard(client, region="europe")
    assert drawings == []
    client.post(reverse("set_language"), {"language": "fr"})
    dashboard(client)
    assert drawings  # another language too
    drawings.clear()
    make_assessment(cycle, make_office("IT"), submitted=True, r1={"status": "implemented"})
    snapshot_refresh(cycle=cycle)
    client.post(reverse("set_language"), {"language": "en"})
    html = dashboard(client).content.decode()
    assert drawings  # a new snapshot is drawn afresh
    assert ">IT<" in html


def test_a_dashboard_request_costs_the_same_whatever_the_number_of_offices(
    client_of, colead, office, django_assert_num_queries, django_assert_max_num_queries
):
    client = client_of(colead)
    survey(office, EUROPE)
    dashboard(client)  # draws and keeps the charts
    # the snapshot, the snapshots of every cycle (year tabs, multi-year view), the menu
    with django_assert_max_num_queries(3 + SESSION_QUERIES) as small:
        dashboard(client)
    counted = len(small.captured_queries)  # before the query log rolls over
    taken = {"AU", *ASIA_PACIFIC, *EUROPE, "US", "CA"}
    many = [code for code in sorted(st3.entries()) if code not in taken][:40]
    survey(office, [*ASIA_PACIFIC, "US", "CA", *many], year=2026)
    dashboard(client, year=2026)
    with django_assert_num_queries(counted):
        dashboard(client, year=2026)


def test_maturity_shows_the_five_levels_and_the_target_beside_the_current_level(
    client_of, colead, office
):
    offices = [office, *(make_office(code) for code in EUROPE)]
    cycle = make_cycle(2025, offices=offices)
    for index, each in enumerate(offices):
        make_assessment(
            cycle,
            each,
            submitted=True,
            r1={"status": "ongoing", "maturity_current": 2 + index % 2, "maturity_target": 4},
        )
    snapshot_refresh(cycle=cycle)
    response = dashboard(client_of(colead))
    html = response.content.decode()
    maturity = html[html.index('id="maturity"') : html.index('id="target"')]
    assert "<title>Level 2: 50 %</title>" in maturity
    assert "<title>Level 3: 50 %</title>" in maturity
    target = next(p for p in response.context["panels"] if p.id == "target")
    assert target.rows[0][1:] == [2.5, 4.0]
    assert "Target level" in str(target.svg)


def test_the_multi_year_view_shows_every_cycle_of_the_framework(client_of, colead, office):
    offices = [office, *(make_office(code) for code in EUROPE)]
    for year, adopted in ((2023, 1), (2024, 3), (2025, 6)):
        cycle = make_cycle(year, offices=offices)
        for index, each in enumerate(offices):
            status = "implemented" if index < adopted else "considering"
            make_assessment(cycle, each, submitted=True, r1={"status": status})
        snapshot_refresh(cycle=cycle)
    response = dashboard(client_of(colead))
    view = response.context["years_view"]
    assert view["years"] == ["2023", "2024", "2025"]
    assert view["rows"][0]["cells"][0]["adoption"] == 17
    assert [cell["adoption"] for cell in view["rows"][0]["cells"]] == [17, 50, 100]
    assert [cell["panel"] for cell in view["rows"][0]["cells"]] == [None, 33, 50]
    html = response.content.decode()
    assert "Over the years" in html and 'id="years"' in html
    assert "2023, 2024" not in html
    assert html.count("<circle") >= 6  # three points, wide and narrow


def test_the_multi_year_view_is_left_out_with_a_single_cycle(client_of, colead, office):
    survey(office, EUROPE)
    response = dashboard(client_of(colead))
    assert response.context["years_view"] is None
    assert 'id="years"' not in response.content.decode()


def test_the_benchmark_charts_the_office_against_its_peers_above_and_below(
    client_of, respondent, office
):
    survey(office, ASIA_PACIFIC + EUROPE)  # AU at level 3, every group's mean is 3
    response = benchmark(client_of(respondent))
    chart = response.context["chart"]
    assert "Your office (AU)" in chart["svg"]
    assert "All responding offices = Your office (AU) level with it" in chart["svg"]
    assert "Asia and the Pacific" in chart["svg"] and "National office" in chart["svg"]
    assert 'id="benchmark-narrow"' in response.content.decode()


def test_a_colead_reading_the_benchmark_is_not_told_your_office(client_of, colead, office):
    survey(office, ASIA_PACIFIC + EUROPE)
    response = benchmark(client_of(colead))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Your office" not in html and "Your answers" not in html
    assert "The answers of AU beside" in html
    assert "— AU" in response.context["chart"]["svg"]


def test_the_benchmark_chart_shows_only_the_groups_the_office_may_see(client_of, viewer, office):
    survey(office, ["DE", "FR", "ES", "NZ", "PL", "SG", "KR"])  # Asia-Pacific: 3 others
    svg = benchmark(client_of(viewer)).context["chart"]["svg"]
    assert "All responding offices" in svg
    assert "Asia and the Pacific" not in svg


def test_the_benchmark_chart_is_drawn_once_per_publication(client_of, respondent, office, drawings):
    survey(office, ASIA_PACIFIC + EUROPE)
    client = client_of(respondent)
    benchmark(client)
    assert drawings == ["bars", "bars"]
    drawings.clear()
    benchmark(client)
    assert drawings == []


def heatmap_block(response) -> str:
    html = response.content.decode()
    return html[html.index('id="heatmap"') :]


@pytest.fixture
def small_pages(monkeypatch):
    from kpi import dashboard as drawing

    monkeypatch.setattr(drawing, "HEATMAP_PAGE", 2)


def test_the_heatmap_shows_a_page_of_offices_with_links_that_keep_the_filters(
    client_of, colead, office, small_pages
):
    survey(office, EUROPE)
    Office.objects.filter(code="SE").update(name="A Swedish office")
    client = client_of(colead)
    first = heatmap_block(dashboard(client, region="europe", heatmap="maturity", order="name"))
    assert "Offices 1–2 of 5" in first
    assert first.count('class="heat-card"') == 2
    # By name, whatever the codes: Sweden's "A Swedish office" first.
    assert ">SE</a>" in first and ">DE</a>" in first and ">ES</a>" not in first
    assert "?region=europe&amp;heatmap=maturity&amp;order=name&amp;page=2#heatmap" in first
    last = heatmap_block(
        dashboard(client, region="europe", heatmap="maturity", order="name", page=3)
    )
    assert "Office 5 of 5" in last and ">PL</a>" in last
    assert 'aria-current="page">3<' in last
    # The other view shows the same page of offices.
    assert "?region=europe&amp;heatmap=status&amp;order=name&amp;page=3#heatmap" in last


def test_the_heatmap_finds_an_office_by_code_or_name(client_of, colead, office):
    survey(office, EUROPE)
    client = client_of(colead)
    found = heatmap_block(dashboard(client, office="de"))
    assert "Office 1 of 1" in found and "found among 6" in found
    assert ">DE</a>" in found and ">AU</a>" not in found
    none = heatmap_block(dashboard(client, office="zz-nothing"))
    assert "No office matches this search." in none
    assert 'class="heat-card"' not in none


def test_the_heatmap_sorts_the_most_advanced_offices_first(client_of, colead, office):
    germany, france = make_office("DE"), make_office("FR")
    cycle = make_cycle(2025, offices=[office, germany, france])
    answers = {
        office: {"r1": {"status": "considering", "maturity_current": 1}},
        germany: {
            "r1": {"status": "implemented", "maturity_current": 2},
            "r2": {"status": "ongoing", "maturity_current": 2},
        },
        france: {"r1": {"status": "ongoing", "maturity_current": 5}},
    }
    for each, given in answers.items():
        make_assessment(cycle, each, submitted=True, **given)
    snapshot_refresh(cycle=cycle)
    client = client_of(colead)

    def codes(**order):
        cards = heatmap_block(dashboard(client, **order)).split('class="heat-card"')[1:]
        return [card.split("</a>")[0].rsplit(">", 1)[1] for card in cards]

    assert codes() == ["AU", "DE", "FR"]
    assert codes(order="adoption") == ["DE", "FR", "AU"]
    assert codes(order="maturity") == ["FR", "DE", "AU"]


def test_on_a_phone_each_office_is_a_card_that_links_to_its_answers(client_of, colead, office):
    cycle = survey(office, EUROPE)
    first = cycle.framework.recommendations.order_by("number").first()
    block = heatmap_block(dashboard(client_of(colead)))
    cards = block[block.index('class="chart-narrow heatmap-cards"') :]
    review = reverse("assessment_review", args=["AU", 2025])
    assert f'<a href="{review}">AU</a>' in cards
    assert f'<span class="visually-hidden">1. {first.short_title}: Ongoing implementation' in cards
    assert "heat-ongoing" in cards and "heat-implemented" in cards


def test_a_dashboard_sends_a_bounded_page_of_heatmap_whatever_the_number_of_offices(
    client_of, colead, office, monkeypatch
):
    """At 1,000 offices the heatmap sends one page, as many bytes as at 60 (the grid of
    every office is stood in for: drawing is what is measured, not the survey)."""
    from kpi import dashboard as drawing

    survey(office, EUROPE)
    client = client_of(colead)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    codes = [a + b + c for a in alphabet for b in alphabet for c in alphabet][:1000]
    statuses = ("implemented", "ongoing", "decided", "considering", "not_planned", "")
    sizes, cards = {}, {}
    for count in (40, 60, 1000):
        rows = [
            (code, f"Office {code}", tuple(statuses[(n + i) % 6] for i in range(10)), (3,) * 10)
            for n, code in enumerate(codes[:count])
        ]
        monkeypatch.setattr(drawing, "heatmap_grid", lambda *args, rows=rows, **kwargs: rows)
        cache.clear()
        forget_kept()
        block = heatmap_block(dashboard(client))
        sizes[count] = len(block.encode())
        cards[count] = block.count('class="heat-card"')
        assert block.count("<rect") < 12 * drawing.HEATMAP_PAGE
    assert cards == {40: 40, 60: 50, 1000: 50}
    assert abs(sizes[1000] - sizes[60]) < 600  # the count and the page links differ
    assert sizes[1000] < sizes[40] * 50 / 40 + 600


def test_the_multi_year_view_follows_maturity_and_the_flags(client_of, colead, office):
    offices = [office, *(make_office(code) for code in EUROPE)]
    for year, level, flagged in ((2024, 2, 0), (2025, 3, 3)):
        cycle = make_cycle(year, offices=offices)
        for index, each in enumerate(offices):
            make_assessment(
                cycle,
                each,
                submitted=True,
                r1={
                    "status": "ongoing",
                    "maturity_current": level,
                    "focus": index < flagged,
                    "challenge": index < flagged,
                    "low_priority": index < flagged,
                },
            )
        snapshot_refresh(cycle=cycle)
    client = client_of(colead)
    view = dashboard(client).context["years_view"]
    metrics = {metric["id"]: metric for metric in view["metrics"]}
    assert list(metrics) == ["adoption", "maturity", "focus", "challenge", "low_priority"]

    def first_row(metric):
        return [(c["value"], c["panel"]) for c in metrics[metric]["rows"][0]["cells"]]

    assert first_row("maturity") == [(2.0, None), (3.0, 1.0)]
    for flag in ("focus", "challenge", "low_priority"):
        assert first_row(flag) == [(0, None), (50, 50)]
    assert view["bases"][1]["panel"] == 6 and not view["small"]

    html = dashboard(client, years="maturity").content.decode()
    years = html[html.index('id="years"') : html.index('id="heatmap"')]
    assert "Mean current maturity level over the years" in years
    assert "Responding offices: 6 in 2024; 6 in 2025." in years  # what the chart rests on
    assert "▲ +1.0" in years
    challenge = dashboard(client, years="challenge").content.decode()
    years = challenge[challenge.index('id="years"') : challenge.index('id="heatmap"')]
    assert "Big implementation challenge (Q6) over the years" in years
    assert 'class="up worse"' in years  # more offices with a big challenge is not good


def test_the_multi_year_view_marks_a_year_of_fewer_than_five_offices(client_of, colead, office):
    few = [office, *(make_office(code) for code in ["DE", "FR"])]
    cycle = make_cycle(2024, offices=few)
    for each in few:
        make_assessment(cycle, each, submitted=True, r1={"status": "ongoing"})
    snapshot_refresh(cycle=cycle)
    survey(office, ["ES", "PL", "SE"], year=2025)  # 4 respondents, 1 of them also in 2024
    response = dashboard(client_of(colead))
    view = response.context["years_view"]
    assert [base["small"] for base in view["bases"]] == [True, True]
    assert view["bases"][1]["panel"] == 1 and view["bases"][1]["panel_small"]
    html = response.content.decode()
    years = html[html.index('id="years"') : html.index('id="heatmap"')]
    assert 'href="#years-small">Small group' in years
    assert "rests on fewer than 5 offices" in years


def test_the_multi_year_figures_keep_the_filters(client_of, colead, office):
    survey(office, EUROPE, year=2024)
    survey_again = make_cycle(2025, offices=[office])
    make_assessment(survey_again, office, submitted=True, r1={"status": "implemented"})
    snapshot_refresh(cycle=survey_again)
    html = dashboard(client_of(colead), region=office.region).content.decode()
    assert f"?region={office.region}&amp;years=maturity#years" in html


def test_an_arabic_dashboard_draws_its_charts_mirrored_and_never_serves_the_english_ones(
    client_of, colead, office
):
    survey(office, EUROPE)
    client = client_of(colead)
    english = dashboard(client).content.decode()
    client.post(reverse("set_language"), {"language": "ar"})
    arabic = dashboard(client).content.decode()
    assert '<html lang="ar" dir="rtl">' in arabic
    assert 'direction="rtl"' in arabic
    assert 'direction="rtl"' not in english


def test_the_benchmark_with_targets_reached_takes_a_fixed_number_of_queries(
    client_of, respondent, office, django_assert_max_num_queries
):
    client = client_of(respondent)
    later = [*ASIA_PACIFIC, "US", "CA", "BR"]
    offices = {code: make_office(code) for code in [*EUROPE, *later]}
    invited = [office, *offices.values()]
    last_year, this_year = make_cycle(2025, offices=invited), make_cycle(2026, offices=invited)
    target = {"maturity_current": 2, "maturity_target": 4}
    reached = {"maturity_current": 4}

    def join(codes):
        for code in codes:
            each = offices[code]
            make_assessment(last_year, each, submitted=True, r1=target, r2=target, r3=target)
            make_assessment(this_year, each, submitted=True, r1=reached, r2=reached, r3=reached)

    make_assessment(last_year, office, submitted=True, r1=target)
    make_assessment(this_year, office, submitted=True, r1=reached)
    join(EUROPE)
    snapshot_refresh(cycle=this_year)
    with django_assert_max_num_queries(18 + SESSION_QUERIES) as few:
        first = benchmark(client, year=2026).content.decode()
    assert "5 of 5 offices" in first.split('id="targets"')[1]  # AU aside: 5 others on R2
    join(later)
    snapshot_refresh(cycle=this_year)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = benchmark(client, year=2026).content.decode()
    assert "15 of 15 offices" in page.split('id="targets"')[1]


def _content(response) -> str:
    html = response.content.decode()
    return html[html.index('<main id="main"') : html.index("</main>")]


def test_a_kept_dashboard_is_the_page_drawn_before_and_the_same_for_every_reader(
    client_of, colead, secretariat, office, monkeypatch
):
    from kpi import dashboard as drawing

    survey(office, ASIA_PACIFIC + EUROPE)
    drawn = dashboard(client_of(colead), region="asia_pacific", heatmap="maturity")

    def refuse(*args, **kwargs):
        raise AssertionError("drawn again")

    monkeypatch.setattr(drawing, "_page", refuse)
    kept = dashboard(client_of(secretariat), region="asia_pacific", heatmap="maturity")
    assert _content(kept) == _content(drawn)
    assert "csrfmiddlewaretoken" not in _content(kept)  # nothing of the person reading it


def test_another_filter_or_language_is_another_page(client_of, colead, office):
    survey(office, ASIA_PACIFIC + EUROPE)
    client = client_of(colead)
    everyone = _content(dashboard(client))
    asia = _content(dashboard(client, region="asia_pacific"))
    assert everyone != asia
    client.cookies["django_language"] = "fr"
    assert _content(dashboard(client)) not in (everyone, asia)


def test_a_search_is_drawn_for_its_request_only(client_of, colead, office, monkeypatch):
    from kpi import dashboard as drawing

    survey(office, ASIA_PACIFIC + EUROPE)
    client = client_of(colead)
    drawn = []
    original = drawing._page
    monkeypatch.setattr(drawing, "_page", lambda *a, **k: drawn.append(1) or original(*a, **k))
    for _ in range(2):
        assert ">AU<" in _content(dashboard(client, office="AU"))
    assert len(drawn) == 2
