"""Committee annex benchmark (issue 5).

    uv run python bench/annex.py [--offices 200] [--repeat 2] [--out annex.pdf]

Builds a throw-away test database (in memory for SQLite; ``test_<name>`` when DATABASE_URL
points at PostgreSQL) with OFFICES offices answering every question with comments in the
six UN languages' scripts, then, in this one process:
1. renders the annex's HTML (not timed), and times WeasyPrint alone turning that HTML into
   a PDF: the floor of any annex;
2. times the whole annex build as the export job runs it: reading the answers, computing
   the KPIs, drawing the charts, rendering the template and WeasyPrint.
For each it prints pages, seconds, pages per second and the process's peak memory (peak
resident set size so far: step 1 runs first, so its figure is its own), then the best of
REPEAT turns of each. Goals: the whole build within 1.2x of WeasyPrint alone; peak memory
under 600 MB.
"""

import argparse
import datetime
import os
import random
import resource
import sys
import time
from pathlib import Path

# This folder holds http.py, which must not hide the standard library's http: it goes last.
sys.path.append(sys.path.pop(0))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

from common import real_offices, throwaway_database

COMMENTS = [
    "We replaced the paper file wrapper with a fully electronic dossier and opened an API "
    "for applicants; the legal basis for electronic signatures came into force in 2024.",
    "La stratégie TIC est revue chaque année par le comité de direction et partagée avec "
    "les offices de la région.",
    "La oficina publica sus datos de propiedad industrial en formato abierto, con acceso "
    "masivo y una API documentada.",
    "Стратегия ИКТ утверждена в 2024 году и пересматривается ежегодно; план внедрения "
    "согласован с бизнес-стратегией ведомства.",
    "تم اعتماد استراتيجية تكنولوجيا المعلومات والاتصالات في عام 2024 وتتم مراجعتها سنويا.",
    "本局已完成电子申请系统的升级，并通过应用程序接口向公众提供专利数据。",
]


def peak_mb() -> float:
    # Linux reports ru_maxrss in kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(offices_wanted: int):
    from assessments.models import Answer, Assessment, Cycle, Invitation
    from recommendations.models import Framework

    framework = Framework.objects.get(version="2024")
    recommendations = list(framework.recommendations.order_by("number"))
    offices = real_offices(offices_wanted)
    cycle = Cycle.objects.create(
        year=2025,
        framework=framework,
        opens_on=datetime.date(2025, 9, 1),
        closes_on=datetime.date(2025, 11, 30),
    )
    Invitation.objects.bulk_create(Invitation(cycle=cycle, office=o) for o in offices)
    rng = random.Random(11)
    submitted = datetime.datetime(2025, 11, 1, tzinfo=datetime.UTC)
    assessments = Assessment.objects.bulk_create(
        Assessment(
            cycle=cycle,
            office=o,
            status="submitted",
            submitted_at=submitted,
            proposals=rng.choice(COMMENTS) if rng.random() < 0.3 else "",
        )
        for o in offices
    )
    statuses = ["implemented", "ongoing", "decided", "considering", "not_planned", ""]

    def text(chance: float) -> str:
        return rng.choice(COMMENTS) if rng.random() < chance else ""

    Answer.objects.bulk_create(
        Answer(
            assessment=a,
            recommendation=r,
            status=rng.choice(statuses),
            status_comment=text(0.5),
            status_comment_private=rng.random() < 0.1,
            focus=(focus := rng.random() < 0.3),
            focus_comment=text(0.6) if focus else "",
            low_priority=rng.random() < 0.1,
            challenge=(challenge := rng.random() < 0.25),
            challenge_comment=text(0.6) if challenge else "",
            discuss=rng.random() < 0.2,
            maturity_current=rng.randint(1, 5),
            maturity_target=rng.randint(1, 5),
        )
        for a in assessments
        for r in recommendations
    )
    return cycle


def report(label: str, pages: int, seconds: float) -> None:
    print(
        f"{label:<34} {pages:4d} pages  {seconds:7.2f} s  {pages / seconds:6.1f} pages/s  "
        f"peak {peak_mb():6.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offices", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each, best taken")
    parser.add_argument("--out", help="also write the annex to this file")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    with throwaway_database():
        from exports.annex import annex_html, build_annex
        from exports.pdf import render_pdf

        cycle = build(args.offices)
        date = datetime.date(2026, 3, 2)
        print(
            f"database: {connection.vendor}; {args.offices} offices, "
            f"{cycle.assessments.count()} responding, answers with comments in six scripts; "
            f"peak before rendering {peak_mb():.0f} MB"
        )

        # Fonts and WeasyPrint's own start-up are loaded once per process: not in either time.
        render_pdf("<p>Warm-up: Latin, Кириллица, العربية, 中文</p>")
        start = time.perf_counter()
        html, _document = annex_html(cycle=cycle, symbol="CWS/14/8", date=date)
        print(f"(the annex's HTML alone: {time.perf_counter() - start:.2f} s)")
        alone_times, total_times, contents = [], [], set()
        # Taken in turns, best of REPEAT each: drift of the machine touches both alike.
        for _ in range(args.repeat):
            start = time.perf_counter()
            alone = render_pdf(html)
            alone_times.append(time.perf_counter() - start)
            if len(alone_times) == 1:
                report("WeasyPrint alone (same HTML)", alone.pages, alone_times[0])
            start = time.perf_counter()
            annex = build_annex(cycle=cycle, symbol="CWS/14/8", date=date)
            total_times.append(time.perf_counter() - start)
            if len(total_times) == 1:
                report("whole annex build", annex.pages, total_times[0])
            contents.add(annex.content)
        alone_seconds, total_seconds = min(alone_times), min(total_times)
        print(
            f"best of {args.repeat}: WeasyPrint alone {alone_seconds:.2f} s, whole build "
            f"{total_seconds:.2f} s ({annex.pages / total_seconds:.1f} pages/s)"
        )
        print(
            f"whole build / WeasyPrint alone: {total_seconds / alone_seconds:.2f}x "
            f"(goal <= 1.2x); peak memory {peak_mb():.0f} MB (goal < 600 MB); "
            f"every build gave the same bytes: {len(contents) == 1}"
        )
        if args.out:
            Path(args.out).write_bytes(annex.content)
            print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
