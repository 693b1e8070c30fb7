"""The aggregate refresh after a write never fails the write, even when many writers refresh the same cells at
once (PostgreSQL deadlocked on the fill state and reported "not saved" for a stored value before the refresh
was serialised by one advisory lock)."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from binasehat.indicators import aggregates
from binasehat.indicators.models import Aggregate, Pending

WRITERS = 8


def _snapshot(source):
    return {(a.input, a.region_code, a.month): a.value for a in Aggregate.objects.filter(source=source)}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL's row locks")
@pytest.mark.django_db(transaction=True)
def test_finding_9_concurrent_writes_to_the_same_cells_all_succeed_and_aggregates_match_a_rebuild(demo, make_user):
    from binasehat.growth.models import Child
    from binasehat.growth.services import measurement_record

    admin = make_user("adm-race", "admin", areas=["19"])
    desa = "19.03.02.2001"
    children = [Child.objects.create(name=f"Anak Serentak {i}", sex="P", birth_date=dt.date(2024, 2, 1),
                                     mother_name="Ibu", desa_id=desa) for i in range(WRITERS)]
    barrier = threading.Barrier(WRITERS)
    errors = []

    def write(child):
        try:
            barrier.wait(timeout=30)
            measurement_record(actor=admin, child=child, data={
                "measured_on": dt.date(2025, 5, 10), "weight_kg": 9.0, "lenhei_cm": 76.0, "measure": "l",
                "oedema": False})
        except Exception as exc:  # noqa: BLE001 - the test reports every failure of a writer
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(c,)) for c in children]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    aggregates.refresh_pending()
    assert not Pending.objects.exists()
    maintained = _snapshot("growth")
    assert maintained[("balita_diukur", desa, dt.date(2025, 5, 1))] >= WRITERS
    aggregates.rebuild(["growth"])
    assert maintained == _snapshot("growth")
