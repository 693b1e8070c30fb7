"""A partner (mitra) sees and updates only the plans, activities and action items of its institution: every
other object of every risk and follow-up view answers 404 (pages, downloads, exports), the API gives it
nothing, and no page it can open shows a person's NIK, name or diagnosis."""

import io
import re

import openpyxl
import pytest
from django.urls import URLResolver, get_resolver, reverse

from binasehat.accounts.models import User
from binasehat.followups.models import ActionItem, Evidence, Meeting, Visit
from binasehat.risk.models import Activity, Attachment, Designation, ProgressNote

pytestmark = pytest.mark.django_db
NIK = re.compile(r"(?<!\d)\d{16}(?!\d)")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _walk(patterns):
    for p in patterns:
        if isinstance(p, URLResolver) and p.namespace in {"risk", "followups"}:
            for q in p.url_patterns:
                yield p.namespace, q


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def objects(demo, media):
    """Objects of the demo: the mitra's own (its institution) and foreign ones."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from binasehat.followups import services as fs
    from binasehat.risk import services as rs

    mitra = User.objects.get(username="mitra")
    dinkes = User.objects.get(username="dinkes")
    own_activity = Activity.objects.get(institution=mitra.institution)
    foreign_activity = Activity.objects.exclude(institution=mitra.institution).exclude(
        designation=own_activity.designation).first()
    foreign_designation = foreign_activity.designation
    rs.activity_progress(actor=dinkes, activity=foreign_activity, date=foreign_activity.start, text="Rahasia",
                         files=[SimpleUploadedFile("lain.png", PNG)])
    rs.activity_progress(actor=dinkes, activity=own_activity, date=own_activity.start, text="Foto",
                         files=[SimpleUploadedFile("milik.png", PNG)])
    own_item = ActionItem.objects.get(institution=mitra.institution)
    foreign_item = ActionItem.objects.exclude(institution=mitra.institution).first()
    for item in (own_item, foreign_item):
        item.refresh_from_db()
        fs.action_update(actor=dinkes, item=item, version=item.version, status=item.status, evidence=item.evidence,
                         files=[SimpleUploadedFile("bukti.png", PNG)])
    return {
        "mitra": mitra,
        "own": {"designation": own_activity.designation, "activity": own_activity, "item": own_item,
                "attachment": Attachment.objects.get(note__activity=own_activity),
                "evidence": Evidence.objects.get(action=own_item)},
        "foreign": {"designation": foreign_designation, "activity": foreign_activity, "item": foreign_item,
                    "attachment": Attachment.objects.get(note__activity=foreign_activity),
                    "evidence": Evidence.objects.get(action=foreign_item),
                    "meeting": Meeting.objects.first(), "visit": Visit.objects.first()},
    }


#: Which object a URL's ``pk`` names.
PK_OF = {"risk:plan": "designation", "risk:plan_pdf": "designation", "risk:plan_xlsx": "designation",
         "risk:plan_change": "designation", "risk:progress": "activity", "risk:attachment": "attachment",
         "followups:action": "item", "followups:evidence": "evidence", "followups:meeting": "meeting",
         "followups:meeting_add": "meeting", "followups:visit": "visit"}
LISTS = {"risk:ruleset", "risk:designations", "followups:actions", "followups:meetings", "followups:visits"}


def _kwargs(name, pattern, objs):
    kwargs = {}
    for key in pattern.pattern.converters:
        if key == "pk":
            kwargs["pk"] = objs[PK_OF[name]].pk
        elif key == "code":
            kwargs["code"] = objs["designation"].region_id
        elif key == "year":
            kwargs["year"] = 2025
        elif key == "what":
            kwargs["what"] = "masalah" if name.startswith("risk") else "keputusan"
    return kwargs


def test_every_risk_and_followup_view_refuses_foreign_objects(objects, client_for):
    client = client_for(objects["mitra"])
    walked = []
    for namespace, pattern in _walk(get_resolver().url_patterns):
        name = f"{namespace}:{pattern.name}"
        walked.append(name)
        if name in LISTS:
            continue
        url = reverse(name, kwargs=_kwargs(name, pattern, objects["foreign"]))
        codes = {method.__name__: method(url).status_code for method in (client.get, client.post)}
        # Refused either way (405 only for the method a view does not take, never both).
        assert set(codes.values()) <= {403, 404, 405} and set(codes.values()) != {405}, (name, codes)
    assert len(walked) >= 18 and set(PK_OF) | LISTS <= set(walked)


def test_object_views_answer_404_not_403_for_foreign_objects(objects, client_for):
    client = client_for(objects["mitra"])
    f = objects["foreign"]
    for name, obj in [("risk:plan", f["designation"]), ("risk:plan_pdf", f["designation"]),
                      ("risk:plan_xlsx", f["designation"]), ("risk:attachment", f["attachment"]),
                      ("followups:action", f["item"]), ("followups:evidence", f["evidence"]),
                      ("followups:meeting", f["meeting"]), ("followups:visit", f["visit"])]:
        assert client.get(reverse(name, args=[obj.pk])).status_code == 404, name
    assert client.post(reverse("risk:progress", args=[f["activity"].pk]),
                       {"date": "2026-01-05", "text": "x", "status": "selesai"}).status_code == 404
    assert client.get(reverse("risk:list")).status_code == 404
    assert client.get(reverse("risk:explanation", args=[f["designation"].region_id, 2025])).status_code == 404


def test_mitra_sees_and_updates_its_own(objects, client_for):
    client = client_for(objects["mitra"])
    own = objects["own"]
    plan = client.get(reverse("risk:plan", args=[own["designation"].pk]))
    assert plan.status_code == 200
    html = plan.content.decode()
    assert own["activity"].title in html
    others = own["designation"].activities.exclude(pk=own["activity"].pk)
    assert others.exists() and not any(a.title in html for a in others)  # only its own activities
    assert 'id="decision"' not in html  # the designation decision (who decided, reason) is not shown
    assert client.get(reverse("risk:attachment", args=[own["attachment"].pk])).status_code == 200
    assert client.get(reverse("risk:plan_pdf", args=[own["designation"].pk])).content.startswith(b"%PDF")
    response = client.post(reverse("risk:progress", args=[own["activity"].pk]),
                           {"date": "2026-01-05", "text": "Kunjungan kedua", "status": "berjalan"})
    assert response.status_code == 302
    assert ProgressNote.objects.filter(activity=own["activity"], text="Kunjungan kedua").exists()
    item = own["item"]
    item.refresh_from_db()
    response = client.post(reverse("followups:action", args=[item.pk]),
                           {"version": item.version, "status": "selesai", "evidence": "5 keluarga didampingi"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "selesai" and item.updated_by == objects["mitra"]
    listing = client.get(reverse("followups:actions")).content.decode()
    assert len(re.findall(r'href="/tindak-lanjut/aksi/\d', listing)) == 1
    ws = openpyxl.load_workbook(io.BytesIO(client.get(reverse("followups:actions"), {"format": "xlsx"}).content)).active
    assert [r[3] for r in ws.iter_rows(min_row=4, values_only=True) if r[0]] == [objects["mitra"].institution.name]
    designations = client.get(reverse("risk:designations")).content.decode()
    assert len(re.findall(r'href="/risiko/penetapan/\d', designations)) == Designation.objects.filter(
        activities__institution=objects["mitra"].institution).distinct().count() == 1


def test_mitra_never_sees_personal_data(objects, client_for):
    from binasehat.families.models import Family

    client = client_for(objects["mitra"])
    names = list(Family.objects.filter(desa_id=objects["own"]["designation"].region_id)
                 .values_list("head_name", flat=True)[:50])
    pages = [reverse("home"), reverse("risk:designations"),
             reverse("risk:plan", args=[objects["own"]["designation"].pk]),
             reverse("followups:actions"), reverse("followups:action", args=[objects["own"]["item"].pk]),
             reverse("followups:meetings"), reverse("followups:visits"), reverse("risk:ruleset")]
    # The rest of the site: area pages give a partner nothing.
    for namespace, path in [("families", "list"), ("growth", "list"), ("cadres", "list"),
                            ("facilities", "posyandu_list"), ("reports", "dashboard")]:
        pages.append(reverse(f"{namespace}:{path}"))
    for url in pages:
        response = client.get(url)
        assert response.status_code in {200, 404}, url
        html = response.content.decode()
        assert not NIK.search(html), url
        assert not [n for n in names if n in html], url


def test_mitra_gets_nothing_from_the_api(objects):
    from django.test import Client

    from binasehat.api.services import token_create

    _token, key = token_create(actor=objects["mitra"], name="tes")
    api = Client(headers={"Authorization": f"Bearer {key}"})
    for url in ("/api/areas", "/api/posyandu", "/api/puskesmas"):
        response = api.get(url)
        assert response.status_code == 200 and response.json()["items"] == [], url
    assert api.get("/api/areas/19.03.01.1002").status_code == 404
