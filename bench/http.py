"""The busy pages under load, on gunicorn and PostgreSQL (issue 11).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME uv run python bench/http.py [--quick]
        [--offices 40,1000] [--users 10,50] [--seconds 20] [--workers 2] [--port 8120]

For each number of offices it makes a database ``<NAME>_http_<offices>`` with the demo data
(portal/demo.py: 40 real offices, three closed cycles and an open one; beyond 40, made-up
offices answer the same way), starts gunicorn on a loopback port (sync workers, as the
Dockerfile runs it, but with DEBUG off and no TLS), and drives 10 and 50 concurrent users,
each for a fixed time, against:

- the login page (the baseline: a template, a form and a CSRF token, no query);
- the co-lead's profile page: a reference with no goal, the cost of any logged-in page
  (the session, the person and their code step, the menu) with little of its own;
- the respondent's form, each user on an office of their own;
- an autosave, each user on an office of their own, a real change each time;
- the co-lead's dashboard of the last closed cycle;
- the KPI API of that cycle (a co-lead's token).

It prints throughput, p50/p95/p99 latency and the workers' CPU per request, each also as a
ratio of the login page's in the same run, then whether each goal is met. The databases are
dropped afterwards. ``--quick`` runs a few seconds per case (a smoke run, noisy figures).
Only loopback addresses are used; every user stops at the end of its case.
"""

import sys

# This folder's http.py must not hide the standard library's http: the folder goes last.
sys.path.append(sys.path.pop(0))

import argparse
import http.client
import json
import os
import secrets
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = ["login", "profile", "form", "autosave", "dashboard", "kpi_api"]
GOALS_THROUGHPUT = {"form": 0.25, "autosave": 0.25, "dashboard": 0.5}
P95_LIMIT_MS = 300
CPU_GROWTH_LIMIT = 1.5
TICKS = os.sysconf("SC_CLK_TCK")


# --- The data, made in a child process with the bench database's settings ---------------


def seed(offices: int, users: int, out: str) -> None:
    """Demo data for ``offices`` offices, ``users`` respondents on offices of their own, a
    co-lead's session and token; what the load driver needs is written to ``out``."""
    import datetime

    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from assessments.models import Assessment, Cycle
    from assessments.services import assessment_start
    from kpi.services import snapshot_refresh
    from portal import demo
    from portal.accounts.middleware import LOGIN_AT_SESSION_KEY, RENEWED_AT_SESSION_KEY
    from portal.accounts.models import User
    from portal.api.services import token_create
    from portal.offices.models import MemberRole, Membership, Office, Region

    demo.seed_demo()
    extra = offices - len(demo.OFFICES)
    if extra > 0:
        # Made-up codes (two characters, as ST.3's): enough for any office count asked.
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        taken = set(Office.objects.values_list("code", flat=True))
        codes = [a + b for a in alphabet for b in alphabet if a + b not in taken][:extra]
        regions = list(Region.values)
        made = Office.objects.bulk_create(
            Office(code=code, name=f"Bench office {code}", region=regions[n % len(regions)])
            for n, code in enumerate(codes)
        )
        by_code = {office.code: office for office in made}
        respondent = User.objects.get(email=demo.LOGINS[0].email)
        recommendations = list(
            Cycle.objects.order_by("year").first().framework.recommendations.order_by("number")
        )
        today = datetime.date.today()
        for cycle in Cycle.objects.order_by("year"):
            demo._invite_and_answer(
                cycle, by_code, recommendations, age=today.year - cycle.year, respondent=respondent
            )
        for cycle in Cycle.objects.order_by("year"):
            snapshot_refresh(cycle=cycle)

    open_cycle = Cycle.objects.order_by("-year").first()
    closed_year = open_cycle.year - 1

    def session_for(user, device=None) -> str:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[LOGIN_AT_SESSION_KEY] = session[RENEWED_AT_SESSION_KEY] = int(time.time())
        if device is not None:
            session["otp_device_id"] = device.persistent_id
        session.create()
        return session.session_key

    people = []
    for office in Office.objects.exclude(code=demo.DEMO_OFFICE).order_by("code")[:users]:
        user = User.objects.create_user(f"bench-{office.code.lower()}@bench.example", "x" * 20)
        Membership.objects.create(user=user, office=office, role=MemberRole.RESPONDENT)
        assessment = Assessment.objects.filter(cycle=open_cycle, office=office).first()
        if assessment is None:
            assessment = assessment_start(cycle=open_cycle, office=office, user=user)
        elif assessment.status != Assessment.Status.DRAFT:
            # A bench office keeps typing: its submission is taken back to a draft.
            Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.DRAFT)
        assessment.refresh_from_db()
        people.append(
            {"code": office.code, "session": session_for(user), "version": assessment.version}
        )
    colead = User.objects.get(email="colead@taskforce.example")
    device = TOTPDevice.objects.get(user=colead)
    _token, key = token_create(user=colead, name="bench")
    Path(out).write_text(
        json.dumps(
            {
                "open_year": open_cycle.year,
                "closed_year": closed_year,
                "respondents": people,
                "colead_session": session_for(colead, device),
                "token": key,
                "offices": Office.objects.count(),
            }
        )
    )


# --- The server ------------------------------------------------------------------------------


def admin_url(database_url: str, name: str) -> tuple[str, str]:
    parsed = urllib.parse.urlsplit(database_url)
    return parsed._replace(path="/postgres").geturl(), parsed._replace(path=f"/{name}").geturl()


def run_sql(admin: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(statement)


def server_env(database_url: str, port: int, static_root: str, media_root: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(40),
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL=f"http://127.0.0.1:{port}",
        SECURE_SSL_REDIRECT="false",
        STATIC_ROOT=static_root,
        MEDIA_ROOT=media_root,
        LOG_LEVEL="WARNING",
        DB_CONN_MAX_AGE="60",
    )
    return env


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.extend(int(child) for child in text)
    return found


def cpu_seconds(pids) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / TICKS


def wait_until_up(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health/")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer in time")


# --- The load driver ---------------------------------------------------------------------------


class User:
    """One simulated person: a connection of their own and, for the form and the autosave,
    an office of their own (shared round-robin when there are more users than offices)."""

    def __init__(self, index: int, port: int, data: dict):
        self.port = port
        self.data = data
        people = data["respondents"]
        self.person = people[index % len(people)]
        self.field = f"r{1 + index // len(people) % 10}-status_comment"
        self.version = self.person["version"]
        self.count = 0
        self.csrf = secrets.token_hex(16)  # an unmasked secret, as Django accepts it
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, case: str) -> int:
        headers = {"Accept-Encoding": "gzip", "Host": "127.0.0.1"}
        body = None
        method = "GET"
        code, open_year = self.person["code"], self.data["open_year"]
        if case == "login":
            path = "/accounts/login/"
        elif case == "profile":
            path = "/accounts/profile/"
            headers["Cookie"] = f"sessionid={self.data['colead_session']}"
        elif case == "form":
            path = f"/offices/{code}/{open_year}/"
            headers["Cookie"] = f"sessionid={self.person['session']}"
        elif case == "autosave":
            method = "POST"
            path = f"/offices/{code}/{open_year}/autosave/"
            self.count += 1
            body = urllib.parse.urlencode(
                {"version": self.version, self.field: f"Typed {self.count} at {time.time()}"}
            )
            headers.update(
                {
                    "Cookie": f"sessionid={self.person['session']}; csrftoken={self.csrf}",
                    "X-CSRFToken": self.csrf,
                    "Content-Type": "application/x-www-form-urlencoded",
                }
            )
        elif case == "dashboard":
            path = f"/dashboard/{self.data['closed_year']}/"
            headers["Cookie"] = f"sessionid={self.data['colead_session']}"
        else:
            path = f"/api/v1/cycles/{self.data['closed_year']}/kpis/"
            headers["Authorization"] = f"Bearer {self.data['token']}"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            return 0
        if case == "autosave" and response.status == 200:
            import gzip

            if response.getheader("Content-Encoding") == "gzip":
                content = gzip.decompress(content)
            self.version = json.loads(content)["version"]
            # The next case's users start from here, not from the seeded version.
            self.person["version"] = max(self.person["version"], self.version)
        return response.status


def drive(case: str, users: int, seconds: float, port: int, data: dict, workers) -> dict:
    people = [User(index, port, data) for index in range(users)]
    for person in people:  # warm: sessions renewed, templates compiled
        person.request(case)
    latencies: list[float] = []
    errors = [0]
    statuses: dict[int, int] = {}  # of the failed requests (0: no answer)
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def loop(person: User):
        mine, failed = [], 0
        while time.monotonic() < stop:
            start = time.perf_counter()
            status = person.request(case)
            elapsed = (time.perf_counter() - start) * 1000
            if status == 200:
                mine.append(elapsed)
            else:
                failed += 1
                with lock:
                    statuses[status] = statuses.get(status, 0) + 1
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    cpu_before = cpu_seconds(workers)
    began = time.monotonic()
    threads = [threading.Thread(target=loop, args=(person,), daemon=True) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    elapsed = time.monotonic() - began
    cpu = cpu_seconds(workers) - cpu_before
    for person in people:
        person.connection.close()
    done = len(latencies)
    quantiles = statistics.quantiles(latencies, n=100) if done > 1 else [0.0] * 99
    return {
        "rps": done / elapsed,
        "p50": quantiles[49],
        "p95": quantiles[94],
        "p99": quantiles[98],
        "cpu_ms": cpu * 1000 / max(done + errors[0], 1),
        "errors": errors[0],
        "statuses": statuses,
        "requests": done,
    }


def run_size(offices: int, args, static_root: str) -> dict:
    base = os.environ["DATABASE_URL"]
    name = urllib.parse.urlsplit(base).path.lstrip("/") or "portal"
    admin, database = admin_url(base, f"{name}_http_{offices}")
    database_name = urllib.parse.urlsplit(database).path.lstrip("/")
    run_sql(admin, f'DROP DATABASE IF EXISTS "{database_name}"')
    run_sql(admin, f'CREATE DATABASE "{database_name}"')
    media_root = tempfile.mkdtemp(prefix="bench-media-")
    env = server_env(database, args.port, static_root, media_root)
    results = {}
    server = None
    try:
        print(f"\n== {offices} offices: migrating and seeding …", flush=True)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        out = Path(media_root) / "bench.json"
        started = time.monotonic()
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--seed",
                str(offices),
                "--seed-users",
                str(max(args.users)),
                "--seed-out",
                str(out),
            ],
            cwd=ROOT,
            env=env,
            check=True,
        )
        data = json.loads(out.read_text())
        print(f"   seeded {data['offices']} offices in {time.monotonic() - started:.0f} s")
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "portal.wsgi",
                "--bind",
                f"127.0.0.1:{args.port}",
                "--workers",
                str(args.workers),
                "--timeout",
                "60",
                "--no-control-socket",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        wait_until_up(args.port, time.monotonic() + 60)
        workers = children(server.pid)
        for users in args.users:
            for case in CASES:
                figures = drive(case, users, args.seconds, args.port, data, workers)
                results[(offices, users, case)] = figures
                print(
                    f"   {users:>3} users {case:<10} {figures['rps']:7.1f} req/s  "
                    f"p50 {figures['p50']:6.0f}  p95 {figures['p95']:6.0f}  "
                    f"p99 {figures['p99']:6.0f} ms  cpu {figures['cpu_ms']:6.1f} ms/req  "
                    f"errors {figures['errors']}"
                    + (f" {figures['statuses']}" if figures["errors"] else ""),
                    flush=True,
                )
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(media_root, ignore_errors=True)
        # Connections of the stopped server may linger a moment.
        for _attempt in range(10):
            try:
                run_sql(admin, f'DROP DATABASE IF EXISTS "{database_name}" WITH (FORCE)')
                break
            except Exception:  # retried, then left for the next run to drop
                time.sleep(1)
    return results


def report(results: dict, args) -> bool:
    print("\nAs a ratio of the login page in the same run (throughput; p95 and CPU per request)")
    print(f"{'offices':>7} {'users':>5} {'case':<10} {'thru':>6} {'p95':>6} {'cpu':>6}")
    all_met = True
    verdicts = []
    for offices in args.offices:
        for users in args.users:
            login = results[(offices, users, "login")]
            for case in CASES:
                figures = results[(offices, users, case)]
                print(
                    f"{offices:>7} {users:>5} {case:<10} "
                    f"{figures['rps'] / max(login['rps'], 1e-9):6.2f} "
                    f"{figures['p95'] / max(login['p95'], 1e-9):6.2f} "
                    f"{figures['cpu_ms'] / max(login['cpu_ms'], 1e-9):6.2f}"
                )
                ratio = figures["rps"] / max(login["rps"], 1e-9)
                if case in GOALS_THROUGHPUT:
                    goal = GOALS_THROUGHPUT[case]
                    verdicts.append(
                        (
                            f"{case} throughput >= {goal:.0%} of login "
                            f"({offices} offices, {users} users): {ratio:.0%}",
                            ratio >= goal and not figures["errors"],
                        )
                    )
                if users == min(args.users):
                    verdicts.append(
                        (
                            f"{case} p95 < {P95_LIMIT_MS} ms at {users} users ({offices} offices): "
                            f"{figures['p95']:.0f} ms",
                            figures["p95"] < P95_LIMIT_MS and not figures["errors"],
                        )
                    )
    if len(args.offices) > 1:
        small, large = min(args.offices), max(args.offices)
        for users in args.users:
            growth = results[(large, users, "dashboard")]["cpu_ms"] / max(
                results[(small, users, "dashboard")]["cpu_ms"], 1e-9
            )
            verdicts.append(
                (
                    f"dashboard CPU per request at {large} offices within {CPU_GROWTH_LIMIT}x of "
                    f"{small} ({users} users): {growth:.2f}x",
                    growth <= CPU_GROWTH_LIMIT,
                )
            )
    print("\nGoals")
    for text, met in verdicts:
        all_met &= met
        print(f"  [{'met' if met else 'NOT met'}] {text}")
    return all_met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few seconds per case")
    parser.add_argument("--offices", default="40,1000")
    parser.add_argument("--users", default="10,50")
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8120)
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--seed-users", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--seed-out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        seed(args.seed, args.seed_users, args.seed_out)
        return
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit(
            "Set DATABASE_URL to a PostgreSQL server: the bench makes its own database"
        )
    args.offices = [int(n) for n in args.offices.split(",")]
    args.users = [int(n) for n in args.users.split(",")]
    args.seconds = args.seconds or (3.0 if args.quick else 20.0)
    if args.users and max(args.users) > 200:
        raise SystemExit("At most 200 users: this is a bench for one machine")
    static_root = tempfile.mkdtemp(prefix="bench-static-")
    try:
        env = server_env(os.environ["DATABASE_URL"], args.port, static_root, static_root + "-media")
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        results = {}
        for offices in args.offices:
            results.update(run_size(offices, args, static_root))
    finally:
        shutil.rmtree(static_root, ignore_errors=True)
    report(results, args)


if __name__ == "__main__":
    main()
