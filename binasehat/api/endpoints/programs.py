"""Programme data: data sets, data elements and data values (read in scope; written through the one service)."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from binasehat.core.periods import YEAR, Period, PeriodError, ordinal_date
from binasehat.programs.models import DataElement, DataSet
from binasehat.programs.selectors import datavalues_for
from binasehat.programs.services import WriteConflict, datavalues_write

from ..datavalues import check_rows
from ..pagination import LimitOffset
from ..schemas import Conflict, DataElementOut, DataSetOut, DataValueIn, DataValueOut, Error, WriteSummaryOut
from ..selectors import subtree_q

router = Router(tags=["data program"])


def parse_periods(texts) -> list[Period]:
    try:
        return [Period.parse(t) for t in texts or () if t]
    except PeriodError:
        raise HttpError(422, _("Periode tidak dikenal: tulis 2025-10 atau 202510 (bulan), 2025Q4 (triwulan) atau "
                               "2025 (tahun).")) from None


def _stored_inside(period: Period) -> set[str]:
    """Stored period texts lying inside ``period``: its months, and for a year the year itself."""
    inside = {str(Period.of_date(ordinal_date(m))) for m in period.months()}
    return inside | {str(period)} if period.kind == YEAR else inside


@router.get("/data-sets", response={200: list[DataSetOut], 401: Error}, summary="Kumpulan data")
@paginate(LimitOffset)
def list_data_sets(request, program: str | None = None):
    qs = DataSet.objects.prefetch_related("elements").order_by("sort", "code")
    return qs.filter(program=program) if program else qs


@router.get("/data-elements", response={200: list[DataElementOut], 401: Error}, summary="Elemen data")
@paginate(LimitOffset)
def list_data_elements(request, data_set: str | None = None, program: str | None = None):
    qs = DataElement.objects.select_related("data_set")
    if data_set:
        qs = qs.filter(data_set__code=data_set)
    if program:
        qs = qs.filter(data_set__program=program)
    return qs


@router.get("/data-values", response={200: list[DataValueOut], 401: Error, 422: Error},
            summary="Nilai data dalam cakupan Anda")
@paginate(LimitOffset)
def list_data_values(request, data_set: list[str] = Query(None), element: list[str] = Query(None),
                     period: list[str] = Query(None), start: dt.date | None = None, end: dt.date | None = None,
                     org_unit: str | None = None, area: str | None = None):
    """`data_set`, `element`, `period` boleh diulang. `period`: nilai yang periodenya di dalamnya (2025: nilai
    bulanan 2025 dan nilai tahunan 2025; 2025Q1: tiga bulan; 2025-10 atau 202510: bulan itu);
    `start`/`end`: awal periode di antara dua tanggal; `org_unit`: kode unit (desa, kabupaten, puskesmas);
    `area`: kode wilayah, nilai di wilayah itu dan di bawahnya."""
    qs = datavalues_for(request.user)
    if data_set:
        qs = qs.filter(element__data_set__code__in=data_set)
    if element:
        qs = qs.filter(element__code__in=element)
    if period:
        qs = qs.filter(period__in=sorted({text for p in parse_periods(period) for text in _stored_inside(p)}))
    if start:
        qs = qs.filter(period_start__gte=start)
    if end:
        qs = qs.filter(period_start__lte=end)
    if org_unit:
        qs = qs.filter(org_unit=org_unit)
    if area:
        qs = qs.filter(subtree_q("region__code", area))
    return qs.order_by("element__code", "org_unit", "period_start", "period")


@router.post("/data-values", response={200: WriteSummaryOut, 401: Error, 403: Error, 409: WriteSummaryOut,
                                        422: Error}, summary="Kirim nilai data")
def post_data_values(request, rows: list[DataValueIn], partial: bool = False, dry_run: bool = False):
    """Simpan nilai (kunci: elemen data, unit, periode); nilai kosong/null menghapus nilai tersimpan. Satu baris
    salah: tidak ada yang ditulis (409) kecuali `partial=true` (baris yang benar ditulis, yang salah dilaporkan).
    `dry_run=true`: hanya periksa, tidak menulis."""
    user = request.user
    if not user.scope.can("programs.enter"):
        raise HttpError(403, _("Peran Anda tidak boleh mengisi data program."))
    checked = check_rows(user, [r.model_dump() for r in rows])
    conflicts = [Conflict(row=n, dataElement=str(r.get("dataElement") or ""), period=str(r.get("period") or ""),
                          orgUnit=str(r.get("orgUnit") or ""), value=r.get("value"), reason=reason)
                 for n, r, reason in checked.conflicts]
    if conflicts and not partial:
        return Status(409, WriteSummaryOut(status="ERROR", dryRun=dry_run, ignored=len(rows), conflicts=conflicts))
    try:
        summary = datavalues_write(actor=user, values=checked.values, source="api", dry_run=dry_run)
    except PermissionDenied as e:
        raise HttpError(403, str(e) or _("Anda tidak berhak melakukan ini.")) from None
    except WriteConflict as e:
        raise HttpError(409, str(e)) from None
    # A comment-only row for a value that is not stored attaches its comment to nothing and never deletes: it is
    # ignored and said so, as DHIS2's import summary does.
    for v in summary.without_value:
        n, r = checked.row_of(v)
        conflicts.append(Conflict(row=n, dataElement=str(r.get("dataElement") or ""), period=str(r.get("period") or ""),
                                  orgUnit=str(r.get("orgUnit") or ""), value=r.get("value"),
                                  reason=_("Hanya catatan tanpa nilai, padahal belum ada nilai tersimpan untuk diberi "
                                           "catatan.")))
    conflicts.sort(key=lambda c: c.row)
    return Status(200, WriteSummaryOut(
        status="WARNING" if conflicts else "OK", dryRun=dry_run, imported=summary.imported, updated=summary.updated,
        deleted=summary.deleted, unchanged=summary.unchanged, ignored=len(conflicts), conflicts=conflicts))
