"""The weekly digest mails each owner their open and overdue items; the overdue lists; the forum desa count the
Desa Siaga assessment reads."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from binasehat.accounts.models import User
from binasehat.followups.models import ActionItem, Meeting
from binasehat.followups.selectors import forum_desa_meetings, overdue, overdue_summary

pytestmark = pytest.mark.django_db


def test_digest_mails_each_owner_their_open_items(demo):
    mail.outbox.clear()
    out = io.StringIO()
    call_command("followup_digest", stdout=out)
    open_items = ActionItem.objects.filter(status__in=ActionItem.OPEN).exclude(owner_email="")
    owners = sorted({i.owner_email for i in open_items})
    assert len(owners) >= 2
    assert sorted(m.to[0] for m in mail.outbox) == owners
    for m in mail.outbox:
        mine = open_items.filter(owner_email=m.to[0])
        for i in mine:
            assert i.decision in m.body
        late = [i for i in mine if i.due < timezone.localdate()]
        assert m.body.count("TERLAMBAT") == len(late)
    # Done items are never in a digest.
    done = ActionItem.objects.filter(status="selesai")
    assert done.exists()
    assert not any(d.decision in m.body for d in done for m in mail.outbox)
    assert f"{len(owners)} ringkasan dikirim" in out.getvalue()


def test_digest_dry_run_prints(demo):
    out = io.StringIO()
    call_command("followup_digest", "--dry-run", stdout=out)
    assert "To: " in out.getvalue() and "TERLAMBAT" in out.getvalue()


def test_demo_has_exactly_one_overdue_item_and_summaries_count_it(demo):
    dinkes = User.objects.get(username="dinkes")
    late = list(overdue(dinkes))
    assert len(late) == 1 and late[0].status == "terbuka" and late[0].due < timezone.localdate()
    summary = overdue_summary(dinkes)
    assert sum(r["overdue"] for r in summary["institutions"]) == 1
    assert sum(r["overdue"] for r in summary["areas"]) == 1
    assert {i.status for i in ActionItem.objects.filter(meeting__kind="pokjanal")} == {
        "terbuka", "berjalan", "selesai"}


def test_forum_desa_meetings_per_desa_and_year(demo):
    dinkes = User.objects.get(username="dinkes")
    from binasehat.followups import services
    from binasehat.regions.models import Region

    desa = Region.objects.get(code="19.03.02.2001")
    for day in (dt.date(2024, 3, 1), dt.date(2024, 9, 1), dt.date(2023, 5, 1)):
        services.meeting_record(actor=dinkes, kind="forum_desa", level="desa", region=desa, date=day,
                                place="Balai desa", agenda="SMD")
    services.meeting_record(actor=dinkes, kind="lokmin", level="desa", region=desa, date=dt.date(2024, 4, 1),
                            place="Puskesmas", agenda="Lokmin")
    counts = forum_desa_meetings(year=2024, desa_codes=["19.03.02.2001", "19.03.02.2002"])
    assert counts == {"19.03.02.2001": 2, "19.03.02.2002": 0}
    teladan_year = Meeting.objects.get(kind="forum_desa", region_id="19.03.01.1002").date.year
    assert forum_desa_meetings(year=teladan_year, desa_codes=["19.03.01.1002"]) == {"19.03.01.1002": 1}
