"""The kop surat and signature block on the reports an office sends upward: kept by the office (audited,
version-checked), printed on the profile, the Pokjanal recap and the IKS report."""

import shutil
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from binasehat.core.models import AuditEntry
from binasehat.core.scope import scope_of
from binasehat.regions.models import Letterhead, Region
from binasehat.regions.rules import nip_problem
from binasehat.regions.selectors import letterhead_for
from binasehat.regions.services import Conflict, letterhead_save

pytestmark = pytest.mark.django_db
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def test_nip_by_hand():
    """NIP = birth date (8) + appointment year and month (6) + sex (1) + number (3): 197503152000031002 is a woman
    born 15 March 1975, appointed March 2000."""
    assert nip_problem("197503152000031002") is None
    assert nip_problem("19750315200003100") == "length"
    assert nip_problem("197502302000031002") == "birth"        # 30 February
    assert nip_problem("197503152000131002") == "appointment"  # month 13
    assert nip_problem("197503151970031002") == "appointment"  # appointed before birth
    assert nip_problem("197503152000033002") == "sex"


def _data(**extra):
    return {"government": "Pemerintah Kabupaten Bangka Selatan", "office": "Dinas Kesehatan", "place": "Toboali",
            "signatory_title": "Kepala Dinas", "signatory_name": "Nama Uji", "signatory_nip": "", **extra}


def test_saving_is_audited_version_checked_and_validated(demo, make_user):
    user = make_user("dk-kop", "dinkes", areas=["19.03"])
    region = Region.objects.get(code="19.03")
    Letterhead.objects.filter(region=region).delete()
    first = letterhead_save(actor=user, scope=scope_of(user), region=region, data=_data(), version=0, logo=PNG)
    assert first.version == 1 and first.logo_type == "image/png"
    assert AuditEntry.objects.filter(model="regions.letterhead", object_pk=str(first.pk), action="create").exists()
    with pytest.raises(Conflict):  # a second form opened on "no letterhead yet"
        letterhead_save(actor=user, scope=scope_of(user), region=region, data=_data(office="Lain"), version=0)
    with pytest.raises(ValidationError):
        letterhead_save(actor=user, scope=scope_of(user), region=region,
                        data=_data(signatory_nip="123"), version=1)
    with pytest.raises(ValidationError):
        letterhead_save(actor=user, scope=scope_of(user), region=region, data=_data(), version=1,
                        logo=b"GIF89a not allowed")
    assert Letterhead.objects.get(region=region).office == "Dinas Kesehatan"
    # Desa and kecamatan below print the kabupaten's letterhead.
    assert letterhead_for("19.03.01.1002").pk == first.pk


def test_the_page_saves_and_a_stale_form_is_refused(demo, client_for):
    client = client_for("dinkes")
    url = reverse("reports:letterhead")
    current = Letterhead.objects.get(region_id="19.03")
    form = {"wilayah": "19.03", "version": current.version, "government": current.government,
            "office": current.office, "signatory_name": "Nama Baru", "signatory_nip": current.signatory_nip}
    assert client.post(url, form).status_code == 302
    stale = client.post(url, {**form, "signatory_name": "Nama Lama"})
    assert stale.status_code == 200 and "sudah diubah orang lain" in stale.content.decode()
    assert Letterhead.objects.get(region_id="19.03").signatory_name == "Nama Baru"
    assert client_for("bidan").get(url).status_code in (403, 404)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not installed")
def test_reports_print_the_letterhead_and_signature(demo, client_for, tmp_path):
    client = client_for("dinkes")
    for url in (reverse("reports:profile") + "?wilayah=19.03&tahun=2025",
                reverse("reports:pokjanal") + "?format=pdf&tahun=2025"):
        pdf = tmp_path / "r.pdf"
        pdf.write_bytes(client.get(url).content)
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "DINAS KESEHATAN" in text and "Mengetahui," in text and "NIP 197503152000031002" in text, url
        assert "Bangka Selatan" in text.split("\n\n")[0] or "BANGKA SELATAN" in text
