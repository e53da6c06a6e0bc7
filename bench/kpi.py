"""KPI engine and dashboard benchmark (issue 4).

    uv run python bench/kpi.py [--offices 200] [--cycles 10] [--repeat 15]

Builds a throw-away test database (in memory for SQLite; ``test_<name>`` when
DATABASE_URL points at PostgreSQL), fills it with OFFICES offices answering CYCLES cycles,
then prints, for the last cycle:
- the time to compute its KPIs (the overall figures, as the API's top level) and the full
  snapshot (with every region, office type and their combinations, and both trends), each
  against one raw SQL GROUP BY over the same answers, timed in the same run (goal: <= 2x):
  the issue's baseline counts statuses only; a second baseline counts, in one GROUP BY,
  everything the figures are made of (statuses, flags, levels, gaps);
- the dashboard's server time and number of SQL queries.
Times are medians of REPEAT runs.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

# This folder holds http.py, which must not hide the standard library's http: it goes last.
sys.path.append(sys.path.pop(0))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

from common import real_offices, throwaway_database


def median_ms(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def build(offices_wanted: int, cycles_wanted: int):
    from assessments.models import Answer, Assessment, Cycle, Invitation
    from recommendations.models import Framework

    framework = Framework.objects.get(version="2024")
    recommendations = list(framework.recommendations.order_by("number"))
    offices = real_offices(offices_wanted)
    rng = random.Random(7)
    statuses = ["implemented", "ongoing", "decided", "considering", "not_planned", ""]
    import datetime

    for year in range(2026 - cycles_wanted, 2026):
        cycle = Cycle.objects.create(
            year=year,
            framework=framework,
            opens_on=datetime.date(year, 9, 1),
            closes_on=datetime.date(year, 11, 30),
        )
        Invitation.objects.bulk_create(Invitation(cycle=cycle, office=o) for o in offices)
        submitted_at = datetime.datetime(year, 11, 1, tzinfo=datetime.UTC)
        assessments = Assessment.objects.bulk_create(
            Assessment(cycle=cycle, office=o, status="submitted", submitted_at=submitted_at)
            for o in offices
            if rng.random() < 0.9
        )
        Answer.objects.bulk_create(
            Answer(
                assessment=a,
                recommendation=r,
                status=rng.choice(statuses),
                focus=rng.random() < 0.3,
                low_priority=rng.random() < 0.1,
                challenge=rng.random() < 0.25,
                discuss=rng.random() < 0.2,
                maturity_current=rng.randint(1, 5),
                maturity_target=rng.randint(1, 5),
            )
            for a in assessments
            for r in recommendations
        )
    return Cycle.objects.order_by("-year").first()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offices", type=int, default=200)
    parser.add_argument("--cycles", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    import django

    django.setup()
    import django_otp
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["testserver"]
    with throwaway_database():
        from kpi import engine, selectors, services
        from portal.accounts.models import SiteRole, User

        cycle = build(args.offices, args.cycles)
        counts = selectors.cycle_counts(cycle)
        answers = selectors.submitted_answers(cycle).count()
        print(
            f"database: {connection.vendor}; {args.offices} offices x {args.cycles} cycles; "
            f"last cycle {cycle.year}: {len(counts.offices)} respondents, {answers} answers"
        )

        raw_sql = (
            "SELECT a.recommendation_id, a.status, COUNT(*) FROM assessments_answer a "
            "JOIN assessments_assessment s ON s.id = a.assessment_id "
            "WHERE s.cycle_id = %s AND s.status = 'submitted' "
            "GROUP BY a.recommendation_id, a.status"
        )

        def group_by():
            with connection.cursor() as cursor:
                cursor.execute(raw_sql, [cycle.pk])
                cursor.fetchall()

        # The same counts the engine needs, per recommendation, in one GROUP BY: what the
        # database alone spends on this cycle's figures.
        same_counts_sql = selectors.PANEL_SQL.replace(" AND s.office_id IN ({offices})", "")

        def same_counts():
            with connection.cursor() as cursor:
                cursor.execute(same_counts_sql, [cycle.pk])
                cursor.fetchall()

        numbers = list(range(1, 11))

        def overall():
            fresh = selectors.cycle_counts(cycle)
            offices = list(fresh.offices)
            engine.assemble(
                fresh.tallies(lambda region, kind: True),
                fresh.none_selected(offices),
                numbers=numbers,
                respondents=len(offices),
            )

        def full_snapshot():
            services.cycle_kpis(cycle)

        baseline = median_ms(group_by, args.repeat)
        equivalent = median_ms(same_counts, args.repeat)
        core = median_ms(overall, args.repeat)
        full = median_ms(full_snapshot, args.repeat)
        print(f"raw SQL GROUP BY status (baseline) {baseline:8.2f} ms")
        print(f"raw SQL GROUP BY, same counts      {equivalent:8.2f} ms")
        print(
            f"KPIs of one cycle (overall)        {core:8.2f} ms   {core / baseline:5.2f}x "
            f"baseline (goal <= 2x), {core / equivalent:5.2f}x same counts"
        )
        print(
            f"full snapshot (groups and trend)   {full:8.2f} ms   {full / baseline:5.2f}x "
            f"baseline, {full / equivalent:5.2f}x same counts"
        )

        services.snapshot_refresh(cycle=cycle)
        colead = User.objects.create_user(
            "bench@taskforce.test", "x" * 12, site_role=SiteRole.COLEAD
        )
        client = Client()
        client.force_login(colead)
        # Co-leads pass a two-factor code after the password; mark the session as django_otp
        # does once it has.
        device = TOTPDevice.objects.create(user=colead, name="bench", confirmed=True)
        session = client.session
        session[django_otp.DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        url = f"/dashboard/{cycle.year}/"
        assert client.get(url).status_code == 200
        # Django empties its query log when a request starts: count at the driver instead.
        executed = []

        def count(execute, sql, params, many, context):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            client.get(url)
        dashboard = median_ms(lambda: client.get(url), args.repeat)
        print(
            f"dashboard server time              {dashboard:8.2f} ms   {len(executed)} SQL queries"
        )


if __name__ == "__main__":
    main()
