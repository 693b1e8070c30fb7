"""Load: N users without think time (closed loop) against gunicorn on loopback, the demo district, a mix of
dashboard, report, list and data-entry pages and API writes. Prints throughput, p50/p95/p99 per page and overall,
errors, and checks that every acknowledged write is in the database.

    .venv/bin/python bench/load.py [--users 50] [--seconds 30] [--workers 4]
                                   [--database-url postgres://postgres@127.0.0.1:54343/postgres]

It builds its own throw-away database (a temporary SQLite file, or a new PostgreSQL database ``bench_load_<pid>``
on the server of ``--database-url``, dropped at the end), runs the demo into it, serves it with gunicorn on
127.0.0.1 with production settings (DEBUG off), and sends traffic only there. Bounded: every user stops after
``--seconds``; every request times out after 60 s. Exit 1 when a request failed or a write was lost.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO_ROOT, pg_admin, with_db  # noqa: E402

PASSWORD = "bina-sehat-demo"
HOST = "127.0.0.1"

# (name, weight, method) — the paths are filled in per user by _request_for.
MIX = [
    ("dashboard", 25), ("pokjanal", 10), ("iks", 10), ("posyandu list", 10), ("kader list", 10),
    ("children list", 10), ("entry form", 10), ("api write", 15),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Session:
    """One user: a keep-alive connection and its cookies."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection(HOST, port, timeout=60)

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
                if attempt:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data

    def login(self, username: str) -> None:
        status, page = self.request("GET", "/akun/masuk/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        body = urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}).encode()
        status, _ = self.request("POST", "/akun/masuk/", body, {
            "Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://{HOST}:{self.port}/akun/masuk/"})
        if status != 302:
            raise SystemExit(f"login of {username} failed: {status}")


def _manage(env: dict, *args: str, capture: bool = True) -> str:
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=REPO_ROOT, env=env, capture_output=capture,
                          text=True)
    if done.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{(done.stdout or '')[-3000:]}{(done.stderr or '')[-3000:]}")
    return done.stdout or ""


SETUP = """
import json
from binasehat.accounts.models import User
from binasehat.api.services import token_create
from binasehat.facilities.models import Posyandu, Puskesmas
from binasehat.regions.models import Region
user = User.objects.get(username="dinkes")
_token, key = token_create(actor=user, name="bench")
desa = list(Region.objects.filter(code__startswith="19.03.", code__regex=r"^\\d+\\.\\d+\\.\\d+\\.\\d+$").order_by("code")
            .values_list("code", flat=True))
posyandu = list(Posyandu.objects.order_by("pk").values_list("pk", flat=True)[:40])
print(json.dumps({"key": key, "desa": desa, "posyandu": posyandu}))
"""

VERIFY = """
import json
from binasehat.programs.models import DataValue
stored = {{}}
for v in DataValue.objects.filter(element__code="DBD_KASUS", period__startswith="2019").values_list("org_unit", "period", "value"):
    stored[f"{{v[0]}}|{{v[1]}}"] = float(v[2])
print(json.dumps(stored))
"""


def request_for(name: str, rng: random.Random, desa: str, key: str, counter: int):
    """(method, path, body, headers, period, value) of one request of the mix; ``period`` and ``value`` are the
    written key's, for an API write."""
    body, headers, method, period, value = None, {}, "GET", None, None
    if name in ("dashboard", "dashboard (no cache)"):
        path = "/laporan/dasbor/"
    elif name == "trivial page":
        path = "/akun/profil/"
    elif name == "pokjanal":
        path = "/laporan/pokjanal/"
    elif name == "iks":
        path = "/keluarga/iks/"
    elif name == "posyandu list":
        path = f"/posyandu/?page={rng.randint(1, 4)}"
    elif name == "kader list":
        path = f"/kader/?page={rng.randint(1, 20)}"
    elif name == "children list":
        path = f"/anak/?page={rng.randint(1, 40)}"
    elif name == "entry form":
        path = f"/data/isi/DBD_BULANAN/?unit={desa}&period=2025-{rng.randint(1, 9):02d}"
    else:
        month = rng.randint(1, 12)
        period = f"2019-{month:02d}"
        value = float(counter % 97)
        method, path = "POST", "/api/data-values"
        body = json.dumps([{"dataElement": "DBD_KASUS", "period": period, "orgUnit": desa, "value": value}]).encode()
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
    return method, path, body, headers, period, value


CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far (``/proc/<pid>/stat``), 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14 and 15 of stat(5))


def server_pids(master: int, db_name: str | None) -> dict[str, list[int]]:
    """The gunicorn master and its workers; with PostgreSQL, the server processes serving ``db_name`` (found by
    their process title) when the server runs on this machine."""
    app, db = [master], []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            if ppid == master:
                app.append(int(entry))
            elif db_name:
                with open(f"/proc/{entry}/cmdline", "rb") as fh:
                    if f" {db_name} ".encode() in fh.read():
                        db.append(int(entry))
        except (OSError, ValueError, IndexError):
            continue
    return {"app": app, "db": db}


def cpu_of(pids: dict[str, list[int]]) -> dict[str, float]:
    return {k: sum(cpu_seconds(p) for p in v) for k, v in pids.items()}


def cpu_by_pid(pids: dict[str, list[int]]) -> dict[str, dict[int, float]]:
    return {k: {p: cpu_seconds(p) for p in v} for k, v in pids.items()}


def cpu_spent(before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]) -> dict[str, float]:
    """CPU seconds spent between two readings, by the processes alive at both (a process that ended in between,
    such as a closed database connection, would count as negative time)."""
    return {k: sum(max(0.0, after[k].get(p, 0.0) - t) for p, t in before[k].items() if after[k].get(p))
            for k in before}


def loadavg() -> str:
    with open("/proc/loadavg") as fh:
        return " ".join(fh.read().split()[:3])


def run_user(index: int, session: Session, clock: dict, setup: dict, results: list, writes: dict, lock,
             ready) -> None:
    rng = random.Random(index)
    ready.wait()
    clock["go"].wait()
    deadline = clock["deadline"]
    names = [n for n, _w in MIX]
    weights = [w for _n, w in MIX]
    desa = setup["desa"][index % len(setup["desa"])]
    counter = 0
    while time.monotonic() < deadline:
        name = rng.choices(names, weights)[0]
        if name == "api write":
            counter += 1
        method, path, body, headers, period, value = request_for(name, rng, desa, setup["key"], counter)
        started = time.perf_counter()
        try:
            status, _data = session.request(method, path, body, headers)
            error = status >= 400
        except Exception:  # noqa: BLE001 - a bench counts every failure
            status, error = 0, True
        elapsed = time.perf_counter() - started
        with lock:
            results.append((name, elapsed, status, error))
            if name == "api write" and status == 200:
                writes[f"{desa}|{period}"] = value  # this user's own keys: its last acknowledged value wins


SERVICE_PAGES = ["dashboard", "dashboard (no cache)", "pokjanal", "iks", "posyandu list", "kader list",
                 "children list", "entry form", "api write", "trivial page"]


def measure_service(port: int, setup: dict, master: int, db_name: str | None, requests: int,
                    database_url: str) -> dict:
    """Each page alone, one request at a time (nothing queued): wall time and the server's CPU time per request
    (gunicorn workers, and PostgreSQL's backends for this database). ``dashboard (no cache)`` is the obvious
    alternative: the cache emptied before each request, so the dashboard is computed and rendered every time.
    ``trivial page`` (the user's profile, not in the mix) is the floor every request pays: session, user, scope,
    middleware and a small template."""
    if requests <= 0:
        return {}
    session = Session(port)
    session.login("dinkes")
    rng = random.Random(7)
    desa = setup["desa"][0]
    out = {}
    print(f"service time, one request at a time ({requests} per page; load average {loadavg()}):")
    print(f"{'page':<22}{'wall ms':>9}{'app CPU ms':>12}{'DB CPU ms':>11}")
    for name in SERVICE_PAGES:
        walls, cpus, dbs = [], [], []
        for i in range(requests + 1):
            if name == "dashboard (no cache)":
                _clear_cache(db_name, database_url)
            method, path, body, headers, _p, _v = request_for(name, rng, desa, setup["key"], 10_000 + i)
            pids = server_pids(master, db_name)
            before, t = cpu_by_pid(pids), time.perf_counter()
            status, _data = session.request(method, path, body, headers)
            elapsed, spent = time.perf_counter() - t, cpu_spent(before, cpu_by_pid(pids))
            if status >= 400:
                raise SystemExit(f"{name}: {path} answered {status}")
            if i:  # the first one warms up
                walls.append(elapsed)
                cpus.append(spent["app"])
                dbs.append(spent["db"])
        out[name] = (statistics.median(walls) * 1000, statistics.mean(cpus) * 1000, statistics.mean(dbs) * 1000)
        print(f"{name:<22}{out[name][0]:>9.0f}{out[name][1]:>12.1f}" + (f"{out[name][2]:>11.1f}" if db_name else
                                                                          f"{'—':>11}"))
    weights = dict(MIX)
    total = sum(weights.values())
    mix = sum(weights[n] * (out[n][1] + out[n][2]) for n in weights) / total
    print(f"weighted by the mix: {mix:.1f} ms CPU per request (app + database)")
    return out


def _clear_cache(db_name: str | None, database_url: str) -> None:
    """Empty Django's database cache of the bench's database (what a dashboard finds after every write)."""
    if db_name:
        import psycopg

        with psycopg.connect(with_db(database_url, db_name).replace("postgresql://", "postgres://"),
                             autocommit=True) as conn:
            conn.execute("DELETE FROM binasehat_cache")
    else:
        import sqlite3

        path = os.environ["BENCH_SQLITE"]
        with sqlite3.connect(path) as conn:
            conn.execute("DELETE FROM binasehat_cache")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))  # nearest rank
    return ordered[k]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--service-requests", type=int, default=10,
                        help="requests per page, one at a time, to measure the server's CPU per page (0: skip)")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-load-"))
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "IMPORTS_RUN_INLINE"}}
    env.update({"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": HOST,
                "BINASEHAT_VAR_DIR": str(tmp), "STATIC_ROOT": str(tmp / "static"), "LOG_FILE": str(tmp / "log")})
    db_name = None
    if args.database_url:
        db_name = f"bench_load_{os.getpid()}"
        with pg_admin(args.database_url) as admin:
            admin.execute(f'CREATE DATABASE "{db_name}"')
        env["DATABASE_URL"] = with_db(args.database_url, db_name)
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
        os.environ["BENCH_SQLITE"] = str(tmp / "bench.sqlite3")
    server = None
    try:
        t = time.monotonic()
        _manage(env, "migrate", "--noinput", "-v0")
        _manage(env, "demo")
        _manage(env, "collectstatic", "--noinput", "-v0")
        setup = json.loads(_manage(env, "shell", "-c", SETUP).strip().splitlines()[-1])
        print(f"setup (migrate, demo, collectstatic): {time.monotonic() - t:.0f} s; "
              f"database: {'PostgreSQL' if db_name else 'SQLite'}")
        port = _free_port()
        server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "binasehat.wsgi", "-w",
                                   str(args.workers), "--threads", str(args.threads), "-b", f"{HOST}:{port}",
                                   "--timeout", "120"], cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL,
                                  stderr=open(tmp / "gunicorn.log", "w"))
        for _ in range(100):
            try:
                if Session(port).request("GET", "/sehat/")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not start")
        # warm every worker once
        warm = Session(port)
        warm.login("dinkes")
        for path in ("/laporan/dasbor/", "/laporan/pokjanal/", "/keluarga/iks/") * args.workers:
            warm.request("GET", path)
        pids = server_pids(server.pid, db_name)
        print(f"load average before: {loadavg()}; server processes: gunicorn {len(pids['app'])}"
              + (f", PostgreSQL backends {len(pids['db'])}" if db_name else ""))

        results: list = []
        writes: dict = {}
        lock = threading.Lock()
        clock: dict = {"go": threading.Event()}
        ready = threading.Barrier(args.users + 1, timeout=300)
        # Logged in one after the other before the clock starts: 50 password hashes at once are not the load
        # being measured (on a busy machine they queued past the request timeout).
        sessions = []
        for _i in range(args.users):
            sessions.append(Session(port))
            sessions[-1].login("dinkes")
        users = [threading.Thread(target=run_user, args=(i, sessions[i], clock, setup, results, writes, lock, ready),
                                  daemon=True) for i in range(args.users)]
        for u in users:
            u.start()
        ready.wait()  # every user logged in
        pids = server_pids(server.pid, db_name)  # the users' connections are open now
        cpu_before, own_before = cpu_of(pids), time.process_time()
        started = time.monotonic()
        clock["deadline"] = started + args.seconds
        clock["go"].set()
        for u in users:
            u.join(timeout=args.seconds + 120)
        wall = time.monotonic() - started
        cpu_after, own_after = cpu_of(server_pids(server.pid, db_name)), time.process_time()
        load_after = loadavg()

        stored = json.loads(_manage(env, "shell", "-c", VERIFY.format()).strip().splitlines()[-1])
        lost = [k for k, v in writes.items() if stored.get(k) != v]

        by_name = defaultdict(list)
        for name, elapsed, status, error in results:
            by_name[name].append(elapsed)
        errors = [(n, s) for n, _e, s, err in results if err]
        print(f"users={args.users} seconds={args.seconds:.0f} gunicorn workers={args.workers} threads={args.threads}; "
              f"load average after: {load_after}")
        print(f"{'page':<16}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
        for name, _w in MIX:
            v = by_name.get(name, [])
            print(f"{name:<16}{len(v):>7}{percentile(v, 50) * 1000:>9.0f}{percentile(v, 95) * 1000:>9.0f}"
                  f"{percentile(v, 99) * 1000:>9.0f}")
        everything = [e for _n, e, _s, _err in results]
        print(f"{'all':<16}{len(everything):>7}{percentile(everything, 50) * 1000:>9.0f}"
              f"{percentile(everything, 95) * 1000:>9.0f}{percentile(everything, 99) * 1000:>9.0f}")
        print(f"throughput: {len(results) / wall:.1f} requests/s; errors: {len(errors)}"
              + (f" {sorted(set(errors))[:10]}" if errors else ""))
        print(f"writes acknowledged: {len(writes)} keys; lost: {len(lost)}" + (f" {lost[:5]}" if lost else ""))
        n = max(len(results), 1)
        app_ms = (cpu_after["app"] - cpu_before["app"]) / n * 1000
        db_ms = (cpu_after["db"] - cpu_before["db"]) / n * 1000
        client_ms = (own_after - own_before) / n * 1000
        print(f"CPU per request of the mix: gunicorn {app_ms:.1f} ms"
              + (f" + PostgreSQL {db_ms:.1f} ms" if db_name else "") + f" (+ this load generator {client_ms:.1f} ms)")

        service = measure_service(port, setup, server.pid, db_name, args.service_requests, args.database_url)

        # Goals. The closed loop's latency is the CPU work per request times the queue (Little's law: with N users
        # and no think time, mean latency = N ÷ throughput, and throughput ≤ cores ÷ CPU per request).
        cores = os.cpu_count() or 1
        budget_ms = 500 * cores / args.users
        goals = []
        for label, names in (("dashboard and entry pages", ["dashboard", "entry form"]), ("all pages", None)):
            v = [e for nm, e, _s, _err in results if names is None or nm in names]
            p95 = percentile(v, 95) * 1000
            goals.append((f"p95 {label} {p95:.0f} ms ≤ 500 ms, errors {len(errors)}", p95 <= 500 and not errors,
                          p95 / 500))
        mix_ms = app_ms + db_ms + client_ms
        goals.append((f"CPU per request of the mix {mix_ms:.1f} ms (server and load generator) ≤ {budget_ms:.0f} ms "
                      f"(the {cores} cores ÷ {args.users} users × 500 ms: what p95 ≤ 500 ms needs on an idle machine)",
                      mix_ms <= budget_ms, mix_ms / budget_ms))
        for text, ok, ratio in goals:
            print(f"{'PASS' if ok else 'FAIL'}  {text}; ratio {ratio:.2f}")
        if service:
            print("(judge on the CPU line when the load average is high: the wall times then measure the neighbours)")
        return 1 if errors or lost or not all(ok for _t, ok, _r in goals) else 0
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        if db_name:
            with pg_admin(args.database_url) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
