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


def run_user(index: int, port: int, clock: dict, setup: dict, results: list, writes: dict, lock, ready) -> None:
    rng = random.Random(index)
    session = Session(port)
    session.login("dinkes")  # before the clock starts: 50 password hashes are not the load being measured
    ready.wait()
    clock["go"].wait()
    deadline = clock["deadline"]
    names = [n for n, _w in MIX]
    weights = [w for _n, w in MIX]
    desa = setup["desa"][index % len(setup["desa"])]
    counter = 0
    while time.monotonic() < deadline:
        name = rng.choices(names, weights)[0]
        body, headers, method = None, {}, "GET"
        if name == "dashboard":
            path = "/laporan/dasbor/"
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
            counter += 1
            month = rng.randint(1, 12)
            period = f"2019-{month:02d}"
            value = float(counter % 97)
            method, path = "POST", "/api/data-values"
            body = json.dumps([{"dataElement": "DBD_KASUS", "period": period, "orgUnit": desa,
                                "value": value}]).encode()
            headers = {"Content-Type": "application/json", "Authorization": f"Bearer {setup['key']}"}
        started = time.perf_counter()
        try:
            status, data = session.request(method, path, body, headers)
            error = status >= 400
        except Exception as exc:  # noqa: BLE001 - a bench counts every failure
            status, data, error = 0, repr(exc).encode(), True
        elapsed = time.perf_counter() - started
        with lock:
            results.append((name, elapsed, status, error))
            if name == "api write" and status == 200:
                writes[f"{desa}|{period}"] = value  # this user's own keys: its last acknowledged value wins


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--database-url", default="")
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

        results: list = []
        writes: dict = {}
        lock = threading.Lock()
        clock: dict = {"go": threading.Event()}
        ready = threading.Barrier(args.users + 1, timeout=300)
        users = [threading.Thread(target=run_user, args=(i, port, clock, setup, results, writes, lock, ready),
                                  daemon=True) for i in range(args.users)]
        for u in users:
            u.start()
        ready.wait()  # every user logged in
        started = time.monotonic()
        clock["deadline"] = started + args.seconds
        clock["go"].set()
        for u in users:
            u.join(timeout=args.seconds + 120)
        wall = time.monotonic() - started

        stored = json.loads(_manage(env, "shell", "-c", VERIFY.format()).strip().splitlines()[-1])
        lost = [k for k, v in writes.items() if stored.get(k) != v]

        by_name = defaultdict(list)
        for name, elapsed, status, error in results:
            by_name[name].append(elapsed)
        errors = [(n, s) for n, _e, s, err in results if err]
        print(f"users={args.users} seconds={args.seconds:.0f} gunicorn workers={args.workers} threads={args.threads}")
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
        return 1 if errors or lost else 0
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
