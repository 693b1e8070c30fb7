"""Spreadsheets: the Desa Siaga district report and the KKS instrument in the layout districts submit."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from binasehat.core.listing import xlsx_report, xlsx_response

from . import rules


def siaga_xlsx(context, filename):
    """Strata per kecamatan with the share of Desa Siaga Aktif against the 80 % target, then every desa."""
    header = [_("Kecamatan"), *rules.STRATA, _("Belum Siaga Aktif"), _("Jumlah desa/kel."), _("Siaga Aktif"),
              _("% Siaga Aktif"), _("Target %")]

    def rows():
        for r in [*context["recap"], context["total"]]:
            yield [r.name, *[r.strata[s] for s in rules.STRATA], r.strata[""], r.total, r.aktif, r.percent,
                   context["target"]]
        yield []
        yield [_("Kode"), _("Desa/kelurahan"), _("Kecamatan"), _("Strata"),
               *[c for key in rules.CRITERIA for c in (key, f"{key} ({_('tingkat')})")]]
        for d in context["rows"]:
            yield [d.code, d.name, d.kecamatan_name, d.stratum or _("belum Siaga Aktif"),
                   *[c for key in rules.CRITERIA for c in (d.value_text(key), d.levels.get(key) or "")]]

    return xlsx_report(
        filename=filename, sheet=str(context["year"]), header=header, rows=rows(), number_format="0.0",
        title=_("Desa/Kelurahan Siaga Aktif %(area)s tahun %(year)s") % {
            "area": context["region"].name if context["region"] else _("wilayah Anda"), "year": context["year"]},
        note=_("Kepmenkes 1529/MENKES/SK/X/2010: strata tertinggi yang semua kriterianya terpenuhi (pilihan "
               "implementasi). Sel Mandiri dana/ormas dapat dikonfigurasi (belum terverifikasi)."),
        widths=[(0, 0, 24), (1, 40, 11)],
    )


def kks_xlsx(request, assessment, tatanan, result, filename):
    """Tatanan, indicator, options, self-assessment, evidence link, verifier value — one row per indicator."""
    import xlsxwriter

    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = wb.add_worksheet(f"KKS {assessment.round.year}")
    bold = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#EEF4F2", "border": 1})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    title = wb.add_format({"bold": True})
    ws.write(0, 0, _("Instrumen penilaian Kabupaten/Kota Sehat %(year)s — %(district)s") % {
        "year": assessment.round.year, "district": assessment.district.name}, title)
    ws.write(1, 0, _("Status: %(status)s") % {"status": assessment.get_status_display()})
    header = [_("Tatanan"), _("Kode"), _("Indikator"), _("Pilihan nilai"), _("OPD"), _("Nilai penilaian mandiri"),
              _("Tautan data dukung"), _("Data dari sistem"), _("Catatan"), _("Nilai verifikator"),
              _("Komentar verifikator")]
    ws.write_row(3, 0, header, bold)
    widths = [28, 7, 44, 40, 22, 12, 36, 24, 30, 12, 30]
    for i, w in enumerate(widths):
        ws.set_column(i, i, w)
    r = 4
    base = request.build_absolute_uri("/").rstrip("/")
    for t in tatanan:
        for a in t.answers:
            ind = a.indicator
            options = "\n".join(f"{o['score']}: {o['label']}" for o in ind.options)
            links = [a.evidence_link] if a.evidence_link else []
            links += [base + f"/komunitas/kks/bukti/{e.pk}/" for e in a.evidence.all()]
            pre = getattr(a, "prefill", None)
            data = ""
            if pre is not None:
                data = f"{pre.indicator_code} {pre.period}: {pre.value if pre.value is not None else '-'}"
                if pre.option is not None:
                    data += f" → {pre.option}"
            ws.write_row(r, 0, [f"{t.number}. {t.name}", ind.code, ind.name, options, a.owner.name if a.owner else "",
                                a.value if a.value is not None else "", "\n".join(links), data, a.notes,
                                a.verifier_value if a.verifier_value is not None else "", a.verifier_comment], wrap)
            r += 1
    r += 1
    ws.write(r, 0, _("Skor per tatanan"), title)
    for t in tatanan:
        r += 1
        ws.write_row(r, 0, [f"{t.number}. {t.name}", "", round(t.score, 2) if t.score is not None else ""])
    r += 1
    ws.write_row(r, 0, [_("Skor keseluruhan"), "", round(result.overall, 2) if result.overall is not None else ""])
    r += 1
    ws.write_row(r, 0, [_("Kategori (belum terverifikasi)"), "", result.category or _("belum mencapai kategori")])
    wb.close()
    return xlsx_response(buffer.getvalue(), filename)
