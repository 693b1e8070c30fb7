"""The dashboard as a workbook: title rows (area, period, printed by and at), the indicator cards and the
ranking of the selected indicator, as the page shows them (small cells stay hidden)."""

from __future__ import annotations

import io

from django.utils import formats
from django.utils.translation import gettext as _

from binasehat.core.cells import xlsx_workbook


def period_text(year: int, last_month: int | None) -> str:
    import datetime as dt

    if not last_month:
        return _("Januari s.d. Desember %(year)d") % {"year": year}
    return _("Januari s.d. %(month)s %(year)d (bulan lengkap terakhir)") % {
        "month": formats.date_format(dt.date(year, last_month, 1), "F"), "year": year}


def _number(value, ind):
    return None if value is None else round(value, ind.decimals)


def _status(value) -> str:
    if getattr(value, "hidden", False):
        return ""
    return {True: _("tercapai"), False: _("belum tercapai")}.get(value.meets, "")


def dashboard_workbook(*, area, year: int, last_month: int | None, cards: list, selected, children: list,
                       desa: list, printed_by, printed_at) -> bytes:
    buffer = io.BytesIO()
    wb = xlsx_workbook(buffer, in_memory=True)
    ws = wb.add_worksheet(str(year))
    title = wb.add_format({"bold": True, "font_size": 13})
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#EEF4F2", "border": 1})
    formats_by_decimals = {}

    def number_format(decimals: int):
        if decimals not in formats_by_decimals:
            formats_by_decimals[decimals] = wb.add_format(
                {"num_format": "#,##0" + ("." + "0" * decimals if decimals else "")})
        return formats_by_decimals[decimals]

    def write(r: int, values, decimals: int = 0):
        for c, v in enumerate(values):
            if v is None:
                ws.write_blank(r, c, None)
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                ws.write_number(r, c, v, number_format(decimals if isinstance(v, float) else 0))
            else:
                ws.write_string(r, c, str(v))

    hidden_note = _("disembunyikan (sel kecil)")
    ws.write_string(0, 0, _("Dasbor indikator %(area)s %(year)d") % {"area": area.name, "year": year}, title)
    ws.write_string(1, 0, _("Wilayah: %(area)s (%(code)s)") % {"area": area.name, "code": area.code})
    ws.write_string(2, 0, _("Periode: %(period)s") % {"period": period_text(year, last_month)})
    who = printed_by.get_full_name() or printed_by.get_username()
    ws.write_string(3, 0, _("Dicetak oleh %(who)s pada %(when)s") % {
        "who": who, "when": formats.date_format(printed_at, "DATETIME_FORMAT")})
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 48)
    ws.set_column(2, 10, 13)

    r = 5
    ws.write_row(r, 0, [_("Kode indikator"), _("Indikator"), _("Satuan"), _("Nilai"), _("Pembilang"),
                        _("Penyebut"), _("Target"), _("Status"), _("Tahun lalu"), _("Perubahan")], head)
    for c in cards:
        ind, v = c.indicator, c.value
        r += 1
        hidden = getattr(v, "hidden", False)
        write(r, [ind.code, ind.display_name, ind.unit, hidden_note if hidden else _number(v.value, ind),
                  v.numerator, v.denominator, None if hidden or v.target is None else _number(v.target, ind),
                  _status(v), _number(c.previous.value, ind), c.change], ind.decimals)

    for heading, rows in ((area.child_level_name if children else "", children), (_("Desa/kelurahan"), desa)):
        if not rows:
            continue
        r += 2
        ws.write_string(r, 0, _("Peringkat %(level)s: %(indicator)s") % {"level": heading,
                                                                         "indicator": selected.display_name}, bold)
        r += 1
        ws.write_row(r, 0, ["#", _("Wilayah"), _("Kode wilayah"), _("Nilai"), _("Pembilang"), _("Penyebut"),
                            _("Status")], head)
        for i, (region, v) in enumerate(rows, start=1):
            r += 1
            hidden = getattr(v, "hidden", False)
            write(r, [i if v.value is not None else None, region.name, region.code,
                      hidden_note if hidden else _number(v.value, selected), v.numerator, v.denominator,
                      _status(v)], selected.decimals)
    r += 2
    ws.write_string(r, 0, _("Nilai = jumlah pembilang ÷ jumlah penyebut × faktor, dihitung dari data (bukan rerata "
                            "persentase). Perubahan dibandingkan dengan periode yang sama tahun sebelumnya."))
    wb.close()
    return buffer.getvalue()
