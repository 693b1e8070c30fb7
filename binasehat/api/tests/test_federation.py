"""Federation between two live Bina Sehat servers on loopback, each with its own database: a district (this test's
database, served by ``live_server``) pushes its dengue data to a province (another process with its own SQLite
file, or its own PostgreSQL database when the tests run on PostgreSQL). Push; change three values and delete one
→ exactly those four arrive; push again → nothing; a connection killed mid-push → the next push completes without
duplicates; the province pulls from the district → nothing new."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from binasehat.accounts.models import User
from binasehat.api.federation import _api, _request
from binasehat.api.models import FederationRun
from binasehat.api.services import token_create
from binasehat.core.periods import Period
from binasehat.programs.models import DataElement, DataValue
from binasehat.programs.services import NewValue, datavalues_write, org_unit_of

ROOT = Path(__file__).resolve().parents[3]
KEC = "19.03.01"
SCOPE = ["--data-set", "DBD_BULANAN", "--org-unit", KEC]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def province_database(tmp_path) -> str:
    if connection.vendor == "postgresql":
        import psycopg

        db = settings.DATABASES["default"]
        name = "binasehat_federation_province"
        with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"] or None,
                             dbname="postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
        return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{name}"
    return f"sqlite:///{tmp_path / 'province.sqlite3'}"


class Province:
    """A second Bina Sehat: its own database, its own server process."""

    def __init__(self, tmp_path):
        self.env = {**os.environ, "DATABASE_URL": province_database(tmp_path), "DEBUG": "1",
                    "DJANGO_SETTINGS_MODULE": "binasehat.settings"}
        self.manage("migrate", "--noinput", "-v0")
        self.manage("demo")
        self.shell("from binasehat.programs.models import DataValue; DataValue.all_objects.all().delete()")
        self.key = self.shell(
            "from binasehat.accounts.models import User; from binasehat.api.services import token_create; "
            "print(token_create(actor=User.objects.get(username='dinkes'), name='district')[1])").split()[-1]
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = subprocess.Popen([sys.executable, "manage.py", "runserver", "--noreload", "--skip-checks",
                                        f"127.0.0.1:{self.port}"], cwd=ROOT, env=self.env,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                urllib.request.urlopen(self.url + "/api/openapi.json", timeout=1)
                break
            except OSError:
                time.sleep(0.2)

    def manage(self, *args) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True,
                              text=True, timeout=300)

    def shell(self, code: str) -> str:
        done = self.manage("shell", "-c", code)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def values(self) -> dict[tuple, tuple]:
        _status, doc = _request(_api(self.url, "dataValueSets", {"dataSet": "DBD_BULANAN", "orgUnit": KEC,
                                                                 "children": "true"}), self.key)
        return {(r["dataElement"], r["orgUnit"], r["period"]): r["value"] for r in doc["dataValues"]}

    def stop(self):
        self.server.terminate()
        self.server.wait(10)


def district_values() -> dict[tuple, tuple]:
    return {(code, unit, Period.parse(period).dhis2): str(int(value)) for code, unit, period, value in
            DataValue.objects.filter(element__data_set__code="DBD_BULANAN", region__code__startswith=KEC + ".")
            .values_list("element__code", "org_unit", "period", "value")}


def push(url, key, *extra) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("federate", "push", "--to", url, "--token", key, *SCOPE, *extra, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue().strip().splitlines()[-1]


class KillingProxy:
    """Forwards connections to ``target``; the ``kill``-th connection is cut after the request headers."""

    def __init__(self, target_port: int, kill: int):
        self.target, self.kill, self.count = target_port, kill, 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            self.count += 1
            if self.count == self.kill:
                client.recv(1024)
                client.close()  # the connection dies mid-push
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self.pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def pipe(a, b):
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


@pytest.mark.django_db(transaction=True)
def test_district_pushes_to_province_incrementally_and_idempotently(demo, live_server, tmp_path):
    province = Province(tmp_path)
    try:
        assert province.values() == {}
        expected = district_values()
        n = len(expected)
        assert n > 1000

        # Every push goes through a proxy that cuts its 4th connection (the second batch of step 4); the
        # watermark belongs to the address pushed to.
        proxy = KillingProxy(province.port, kill=4)
        target = proxy.url

        # 1. First push: everything arrives.
        code, line = push(target, province.key)
        assert code == 0 and line == f"sent={n} imported={n} updated=0 ignored=0 deleted=0"
        assert province.values() == expected

        # 2. Three values change and one is deleted at the district: exactly those four arrive.
        desa = [org_unit_of(c, "desa") for c in sorted({k[1] for k in expected})[:4]]
        kasus, meninggal = DataElement.objects.get(code="DBD_KASUS"), DataElement.objects.get(code="DBD_MENINGGAL")
        march = Period.parse("2025-03")
        datavalues_write(actor=None, source="test", values=[
            NewValue(kasus, desa[0], march, 41.0), NewValue(kasus, desa[1], march, 42.0),
            NewValue(kasus, desa[2], march, 43.0), NewValue(meninggal, desa[3], march, None)])
        code, line = push(target, province.key)
        assert code == 0 and line == "sent=4 imported=0 updated=3 ignored=0 deleted=1"
        assert province.values() == district_values()

        # 3. Pushing again sends nothing.
        code, line = push(target, province.key)
        assert code == 0 and line == "sent=0 imported=0 updated=0 ignored=0 deleted=0"

        # 4. The connection dies during the second of two batches: the next push completes, no duplicates.
        datavalues_write(actor=None, source="test", values=[
            NewValue(kasus, d, Period.parse("2025-04"), 50.0 + i) for i, d in enumerate(desa)])
        code, line = push(target, province.key, "--batch-size", "2")
        assert code == 2 and line == "sent=2 imported=0 updated=2 ignored=0 deleted=0"
        assert FederationRun.objects.filter(status="failed").count() == 1
        code, line = push(target, province.key, "--batch-size", "2")
        assert code == 0 and line == "sent=4 imported=0 updated=2 ignored=2 deleted=0"
        assert province.values() == district_values()
        count = province.shell("from binasehat.programs.models import DataValue; "
                               "print(DataValue.all_objects.filter(period='2025-04', element__code='DBD_KASUS', "
                               f"org_unit__in={[d.code for d in desa]!r}).count())")
        assert count.split()[-1] == "4"

        # 5. The province pulls from the district (a live server too): nothing it does not have already.
        _t, district_key = token_create(actor=User.objects.get(username="dinkes"), name="province")
        pulled = province.manage("federate", "pull", "--from", live_server.url, "--token", district_key, *SCOPE)
        assert pulled.returncode == 0, pulled.stderr
        assert pulled.stdout.strip().splitlines()[-1] == f"sent={n} imported=0 updated=0 ignored={n} deleted=0"
        # every run is audited
        from binasehat.core.models import AuditEntry
        assert AuditEntry.objects.filter(model="api.federationrun", source="federation").count() == 5
    finally:
        province.stop()
