"""Two writers of one action item at the same moment, each on its own database connection: exactly one change is
stored and the other writer is told (PostgreSQL; the row lock is what makes the version check safe).

Transactional (real commits), so it lives outside the app tests: it empties the tables when it ends."""

import threading

import pytest
from django.db import connection

from binasehat.accounts.models import Institution, User
from binasehat.followups import services
from binasehat.followups.models import ActionItem
from binasehat.regions.models import Region


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need a server database")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_writers_never_lose_an_update():
    # The tables may hold the session's demo district or, after another transactional test, nothing.
    province, _ = Region.objects.get_or_create(code="19", defaults={"name": "Kepulauan Bangka Belitung",
                                                                    "kind": "provinsi"})
    district, _ = Region.objects.get_or_create(code="19.03", defaults={"name": "Bangka Selatan", "kind": "kabupaten",
                                                                       "parent": province})
    dinkes = User.objects.create_user("dinkes_c", password="Rahasia-Sekali-2025", role="dinkes")
    dinkes.areas.set([district])
    institution, _ = Institution.objects.get_or_create(name="Kecamatan (tes)", kind="kecamatan")
    item = ActionItem.objects.create(region=district, decision="Data dimutakhirkan", owner_name="A",
                                     institution=institution, due="2026-01-31")
    results, barrier = [], threading.Barrier(2)

    def write(text):
        from django.db import connections

        actor = User.objects.get(pk=dinkes.pk)
        try:
            barrier.wait()
            services.action_update(actor=actor, item=item, version=1, status="berjalan", evidence=text)
            results.append(("ok", text))
        except services.StaleVersion as e:
            results.append(("stale", e.current.evidence))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(t,)) for t in ("satu", "dua")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(kind for kind, _ in results) == ["ok", "stale"]
    winner = next(text for kind, text in results if kind == "ok")
    item.refresh_from_db()
    assert (item.version, item.evidence) == (2, winner)
    # The refused writer was shown the stored (newer) version.
    assert next(text for kind, text in results if kind == "stale") == winner
