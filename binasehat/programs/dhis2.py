"""DHIS2 ``dataValueSets`` as DHIS2 2.40 exchanges them: programme data out and in as JSON, CSV and ADX.

Behaviour follows DHIS2 2.40 (dhis2-core ``DataValueSetController``, ``DefaultDataValueSetService``,
``CsvDataValueSetReader``/``Writer``, ``DataValue.isNullValue``) with these choices:

* Identifiers are always codes (DHIS2's ``idScheme=CODE``): the data element code (``DBD_KASUS``), the
  organisation unit's Kemendagri region code (``19.03.01.2001``) or puskesmas code (``P19030101``), periods in
  DHIS2's spelling (``202510``, ``2025``; ours, ``2025-10``, is read too). There is no disaggregation: category
  and attribute option combos are DHIS2's default, written ``default`` (``HllvX50cXC0`` and empty are read too).
* Export: ``period=2025`` is that exact period (the yearly values), as in DHIS2; ``startDate``/``endDate`` give
  every period inside the dates. ``lastUpdated`` / ``lastUpdatedDuration`` read the indexed ``last_updated``;
  ``includeDeleted`` adds soft-deleted values with ``deleted: true``; ``limit`` caps the rows;
  ``dataElementGroup`` is a programme (``tb``, ``jiwa``, ``dbd``), ``orgUnitGroup`` a kind of unit (``desa``,
  ``puskesmas``, ``kabupaten``) or a puskesmas code (its own values and its wilayah kerja's desa).
* Import: a value is null only when value and comment are both empty (a comment-only row keeps the stored
  value); a null value, ``deleted: true`` or ``importStrategy=DELETE`` deletes (softly). Values equal to what is
  stored, and deletions of values not stored, count as ``ignored`` (DHIS2 2.40 ``dataValueUpdateShouldBeIgnored``),
  as do rows with a conflict; each conflict has DHIS2's ``errorCode`` (E76xx) and the rows' 0-based ``indexes``,
  and every refused row is in ``rejectedIndexes``. Of several rows with the same element, unit and period the
  first is used and the others are conflicts (DHIS2 lets the last one win silently).
* ``completeDate`` in the header (with ``dataSet``, ``period``, ``orgUnit``) registers the data set as complete.
* ADX (``application/adx+xml``, IHE QRPH's SDMX-based aggregate format that DHIS2 and OpenHIE use): groups of
  data set, unit and ISO 8601 period (``2025-01-01/P1M``) with their values; an ``annotation`` is the comment.
* ``web_message(summary)`` wraps the summary in DHIS2's WebMessage (``httpStatus``, ``httpStatusCode``,
  ``status``, ``message``, ``response``): 200 OK for SUCCESS, 409 Conflict for WARNING and ERROR.

These functions take the acting user (None: the system, with full scope) and plain parameters and return
JSON-ready dicts or text, so the REST API and ``manage.py dhis2_datavalues`` are thin wrappers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from binasehat.core.cells import SafeCsvWriter
from binasehat.core.periods import Period, PeriodError
from binasehat.core.scope import Scope
from binasehat.facilities.models import Puskesmas
from binasehat.regions.models import Region

from .checks import RowProblem, ValueChecker
from .models import DataElement, DataSet, DataValue, OrgKind, Program
from .services import NewValue, WriteConflict, datavalues_write

DHIS2_VERSION = "2.40"
#: DHIS2's default category option combo as written on export, and every spelling read on import.
DEFAULT_COMBO = "default"
DEFAULT_COMBOS = frozenset({"", "hllvx50cxc0", "default"})
#: DHIS2 2.40 ``CsvDataValueSetWriter.HEADER_ROW``; the reader takes columns by position and skips the first row.
CSV_COLUMNS = ["dataelement", "period", "orgunit", "categoryoptioncombo", "attributeoptioncombo", "value",
               "storedby", "lastupdated", "comment", "followup", "deleted"]
CREATE_AND_UPDATE, CREATE, UPDATE, DELETE = "CREATE_AND_UPDATE", "CREATE", "UPDATE", "DELETE"
#: Import strategies, with the names older DHIS2 versions used.
STRATEGIES = {CREATE_AND_UPDATE: CREATE_AND_UPDATE, CREATE: CREATE, UPDATE: UPDATE, DELETE: DELETE,
              "NEW_AND_UPDATES": CREATE_AND_UPDATE, "NEW": CREATE, "UPDATES": UPDATE, "DELETES": DELETE}
TRUE_TEXTS = frozenset({"true", "1", "yes", "ya", "y", "t"})
#: Content types served, as DHIS2's controller maps them.
JSON_TYPES = ("application/json",)
CSV_TYPES = ("application/csv", "text/csv")
ADX_TYPES = ("application/adx+xml",)
#: ADX (IHE QRPH Aggregate Data Exchange, the SDMX-based format of DHIS2 and OpenHIE): DHIS2 2.40
#: ``AdxDataService.NAMESPACE``.
ADX_NAMESPACE = "urn:ihe:qrph:adx:2015"
#: DHIS2 2.40 ``ErrorCode``s of data value conflicts.
E_DATA_SET, E_ELEMENT, E_PERIOD, E_ORG_UNIT, E_COMBO, E_ATTRIBUTE = "E7600", "E7610", "E7611", "E7612", "E7613", \
    "E7615"
E_VALUE, E_COMMENT, E_PERIOD_TYPE, E_NOT_IN_DATA_SET, E_FUTURE = "E7619", "E7620", "E7632", "E7633", "E7641"


class ParameterError(ValueError):
    """A request parameter names nothing this system knows; the message says which, in Indonesian."""


class UnsupportedFormat(ValueError):
    """A content type this system does not read or write (answered 415)."""


def _scope_of(user) -> Scope:
    return Scope(everything=True) if user is None else user.scope


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _flag(value) -> bool:
    return value is True or _text(value).lower() in TRUE_TEXTS


def dhis2_value(value: float) -> str:
    """A number as DHIS2 writes it: ``12``, not ``12.0``."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def dhis2_timestamp(moment: dt.datetime | None) -> str:
    """DHIS2's timestamp: ``2025-10-31T08:15:02.123`` (UTC here, with its offset)."""
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds") if moment else ""


def _as_period(p) -> Period:
    if isinstance(p, Period):
        return p
    try:
        return Period.parse(str(p))
    except PeriodError:
        raise ParameterError(_("Periode %(p)s tidak dikenal: tulis 202510 (bulan), 2025Q4 (triwulan) atau 2025 (tahun).")
                             % {"p": p}) from None


def _as_date(d) -> dt.date | None:
    if d is None or d == "":
        return None
    if isinstance(d, dt.datetime):
        return d.date()
    if isinstance(d, dt.date):
        return d
    try:
        return dt.date.fromisoformat(str(d).strip()[:10])
    except ValueError:
        raise ParameterError(_("Tanggal %(d)s tidak dikenal: tulis 2025-01-31.") % {"d": d}) from None


def _as_moment(d) -> dt.datetime | None:
    """``lastUpdated``: a date (its start) or a date and time; without an offset, the server's time zone."""
    if d is None or d == "":
        return None
    if isinstance(d, dt.datetime):
        moment = d
    else:
        text = re.sub(r" (\d\d:?\d\d)$", r"+\1", str(d).strip()).replace("Z", "+00:00")  # an unescaped "+"
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            raise ParameterError(_("Waktu %(d)s tidak dikenal: tulis 2025-01-31 atau 2025-01-31T08:00:00.")
                                 % {"d": d}) from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


_DURATION = re.compile(r"^(\d+)\s*([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> dt.timedelta:
    """DHIS2's ``lastUpdatedDuration``: a number and a unit, ``30s``, ``15m``, ``2h``, ``7d``."""
    match = _DURATION.match(_text(text).lower())
    if not match:
        raise ParameterError(_("lastUpdatedDuration %(d)s tidak dikenal: tulis misalnya 30m, 2h atau 7d.")
                             % {"d": text})
    return dt.timedelta(seconds=int(match.group(1)) * _UNIT_SECONDS[match.group(2)])


def _check_codes(model, codes: Sequence[str], message: str) -> list[str]:
    codes = sorted({c.strip() for c in codes if c and c.strip()})
    known = set(model.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ParameterError(message % {"codes": ", ".join(unknown)})
    return codes


def _org_unit_q(code: str, children: bool) -> Q:
    code = (code or "").strip()
    if Puskesmas.objects.filter(code=code).exists():
        return Q(org_unit=code)
    if not Region.objects.filter(code=code).exists():
        raise ParameterError(_("Unit %(u)s tidak dikenal: tulis kode wilayah Kemendagri atau kode puskesmas.")
                             % {"u": code})
    if not children:
        return Q(org_unit=code)
    return Q(region__code=code) | Q(region__code__startswith=code + ".")


def _org_unit_group_q(group: str) -> Q:
    """``orgUnitGroup``: ``desa``, ``puskesmas`` or ``kabupaten`` (units of that kind), or a puskesmas code (the
    puskesmas' own values and those of the desa of its wilayah kerja)."""
    kind = group.strip().lower()
    if kind == OrgKind.PUSKESMAS:
        return Q(puskesmas__isnull=False)
    if kind in (OrgKind.DESA, OrgKind.KABUPATEN):
        return Q(puskesmas__isnull=True, region__level=4 if kind == OrgKind.DESA else 2)
    puskesmas = Puskesmas.objects.filter(code=group.strip()).first()
    if puskesmas is None:
        raise ParameterError(_("orgUnitGroup %(g)s tidak dikenal: tulis desa, puskesmas, kabupaten atau kode "
                               "puskesmas.") % {"g": group})
    desa = list(puskesmas.wilayah_kerja.values_list("code", flat=True))
    return Q(org_unit=puskesmas.code) | Q(org_unit__in=desa, puskesmas__isnull=True)


def _check_combo(value: str, name: str) -> None:
    if value.lower() not in DEFAULT_COMBOS:
        raise ParameterError(_("%(name)s %(c)s tidak dikenal: Bina Sehat hanya memakai kombinasi bawaan (default).")
                             % {"name": name, "c": value})


def export_values(user, *, data_sets: Sequence[str] | None = None, elements: Sequence[str] | None = None,
                  periods: Sequence[Period | str] | None = None, start: dt.date | str | None = None,
                  end: dt.date | str | None = None, org_unit: str | Sequence[str] | None = None,
                  children: bool = True, last_updated: dt.datetime | str | None = None,
                  last_updated_duration: str | dt.timedelta | None = None, include_deleted: bool = False,
                  last_updated_until: dt.datetime | None = None,
                  limit: int | None = None, org_unit_groups: Sequence[str] | None = None,
                  data_element_groups: Sequence[str] | None = None,
                  attribute_option_combos: Sequence[str] | None = None) -> list[dict]:
    """The data values the user may see, as DHIS2 2.40 JSON ``dataValues`` entries.

    ``periods``: values of exactly these periods (``2025`` is the yearly values of 2025, as in DHIS2).
    ``start``/``end``: values whose whole period lies between these dates (DHIS2's ``startDate``/``endDate``).
    ``org_unit`` (one code or several): a region (with ``children``, everything below it, puskesmas of its
    kecamatan included) or a puskesmas. ``last_updated`` / ``last_updated_duration``: values changed since then
    (deletions too, with ``include_deleted``). Unknown codes raise ``ParameterError``; a unit outside the user's
    scope simply yields nothing. ``export_values(user, **export_options(request.GET))`` reads DHIS2's parameters.
    """
    scope = _scope_of(user)
    qs = DataValue.all_objects.all() if include_deleted else DataValue.objects.all()
    if not scope.everything:
        q = scope.region_q("region__code")
        if scope.puskesmas_ids:
            q |= Q(puskesmas_id__in=sorted(scope.puskesmas_ids))
        qs = qs.filter(q)
    if data_sets:
        codes = _check_codes(DataSet, data_sets, _("Kumpulan data %(codes)s tidak dikenal."))
        qs = qs.filter(element__data_set__code__in=codes)
    if data_element_groups:
        programs = {g.strip().lower() for g in data_element_groups}
        if unknown := sorted(programs - set(Program.values)):
            raise ParameterError(_("dataElementGroup %(codes)s tidak dikenal: tulis %(known)s.")
                                 % {"codes": ", ".join(unknown), "known": ", ".join(Program.values)})
        qs = qs.filter(element__data_set__program__in=sorted(programs))
    if elements:
        codes = _check_codes(DataElement, elements, _("Elemen data %(codes)s tidak dikenal."))
        qs = qs.filter(element__code__in=codes)
    for combo in attribute_option_combos or ():
        _check_combo(combo, "attributeOptionCombo")
    if periods:
        qs = qs.filter(period__in=sorted({str(_as_period(p)) for p in periods}))
    start, end = _as_date(start), _as_date(end)
    if start:
        qs = qs.filter(period_start__gte=start)
    if end:
        qs = qs.filter(period_start__lte=end)
    if org_unit:
        q = Q(pk__in=[])
        for code in [org_unit] if isinstance(org_unit, str) else org_unit:
            q |= _org_unit_q(code, children)
        qs = qs.filter(q)
    if org_unit_groups:
        q = Q(pk__in=[])
        for group in org_unit_groups:
            q |= _org_unit_group_q(group)
        qs = qs.filter(q)
    since = _as_moment(last_updated)
    if last_updated_duration:
        duration = last_updated_duration if isinstance(last_updated_duration, dt.timedelta) else \
            parse_duration(last_updated_duration)
        since = max(filter(None, [since, timezone.now() - duration]))
    if since:
        qs = qs.filter(last_updated__gte=since)
    if last_updated_until:
        qs = qs.filter(last_updated__lte=last_updated_until)
    rows = qs.order_by("element__data_set__sort", "org_unit", "period_start", "element__sort", "pk").values_list(
        "element__code", "period", "org_unit", "value", "comment", "created", "last_updated", "stored_by",
        "followup", "deleted")
    parsed: dict[str, Period] = {}
    out = []
    for code, period, unit, value, comment, created, updated, stored_by, followup, deleted in rows.iterator(2000):
        p = parsed.get(period) or parsed.setdefault(period, Period.parse(period))
        if end and p.end > end:
            continue
        row = {"dataElement": code, "period": p.dhis2, "orgUnit": unit, "categoryOptionCombo": DEFAULT_COMBO,
               "attributeOptionCombo": DEFAULT_COMBO, "value": dhis2_value(value), "storedBy": stored_by,
               "created": dhis2_timestamp(created), "lastUpdated": dhis2_timestamp(updated), "followup": followup,
               "deleted": deleted}
        if comment:
            row["comment"] = comment
        out.append(row)
        if limit is not None and len(out) >= limit:
            break
    return out


_HEADER_NAMES = {"data_set": "dataSet", "org_unit": "orgUnit", "complete_date": "completeDate"}


def as_json(rows: list[dict], **header) -> dict:
    """The ``dataValueSets`` document: header fields only when they have a value (``dataSet``, ``period``,
    ``orgUnit``, ``completeDate``; snake_case accepted), then ``dataValues``."""
    doc = {_HEADER_NAMES.get(k, k): v for k, v in header.items() if v not in (None, "")}
    doc["dataValues"] = rows
    return doc


def as_csv(rows: Iterable[dict]) -> str:
    """DHIS2 2.40's data value CSV, with its header row."""
    buf = io.StringIO()
    writer = SafeCsvWriter(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow([r["dataElement"], r["period"], r["orgUnit"], r.get("categoryOptionCombo", ""),
                         r.get("attributeOptionCombo", ""), r["value"], r.get("storedBy", ""),
                         r.get("lastUpdated", ""), r.get("comment", ""),
                         "true" if r.get("followup") else "false", "true" if r.get("deleted") else "false"])
    return buf.getvalue()


def _query_values(query, name: str) -> list[str]:
    """All values of a query parameter (a Django QueryDict or a plain dict of strings or lists); DHIS2 also
    accepts several values in one, separated by commas (``period=202501,202502``) for some; we split on commas
    where a value can hold none."""
    values = query.getlist(name) if hasattr(query, "getlist") else query.get(name)
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return [str(v).strip() for v in values if str(v).strip()]


def _query_value(query, name: str) -> str:
    values = _query_values(query, name)
    return values[0] if values else ""


def _check_id_schemes(query) -> None:
    for name in ("idScheme", "dataElementIdScheme", "orgUnitIdScheme", "dataSetIdScheme",
                 "categoryOptionComboIdScheme"):
        scheme = _query_value(query, name)
        if scheme and scheme.upper() != "CODE":
            raise ParameterError(_("%(name)s=%(scheme)s tidak didukung: Bina Sehat memakai kode (idScheme=CODE).")
                                 % {"name": name, "scheme": scheme})


def export_options(query) -> dict:
    """``export_values`` keyword arguments from DHIS2 2.40's query parameters: ``dataSet``, ``dataElement``,
    ``dataElementGroup``, ``period``, ``startDate``, ``endDate``, ``orgUnit``, ``orgUnitGroup``, ``children``
    (false unless given), ``lastUpdated``, ``lastUpdatedDuration``, ``includeDeleted``, ``limit``,
    ``attributeOptionCombo`` (only the default)."""
    _check_id_schemes(query)
    limit = _query_value(query, "limit")
    if limit and not limit.isdigit():
        raise ParameterError(_("limit %(n)s harus bilangan bulat ≥ 0.") % {"n": limit})
    return {"data_sets": _query_values(query, "dataSet"), "elements": _query_values(query, "dataElement"),
            "periods": _query_values(query, "period"), "start": _query_value(query, "startDate") or None,
            "end": _query_value(query, "endDate") or None, "org_unit": _query_values(query, "orgUnit") or None,
            "children": _flag(_query_value(query, "children")),
            "last_updated": _query_value(query, "lastUpdated") or None,
            "last_updated_duration": _query_value(query, "lastUpdatedDuration") or None,
            "include_deleted": _flag(_query_value(query, "includeDeleted")),
            "limit": int(limit) if limit else None,
            "org_unit_groups": _query_values(query, "orgUnitGroup"),
            "data_element_groups": _query_values(query, "dataElementGroup"),
            "attribute_option_combos": _query_values(query, "attributeOptionCombo")}


def format_of(content_type: str) -> str:
    """``json`` or ``csv`` for a request's content type, as DHIS2 2.40's controller maps them (no content type:
    JSON, its default); anything else raises ``UnsupportedFormat``."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind in ("", *JSON_TYPES):
        return "json"
    if kind in CSV_TYPES:
        return "csv"
    if kind in ADX_TYPES:
        return "adx"
    raise UnsupportedFormat(_("Jenis isi %(t)s tidak dilayani: kirim application/json, application/csv atau "
                              "application/adx+xml (DXF2 XML dan PDF tidak dilayani Bina Sehat).") % {"t": kind})


def import_options(query, content_type: str = "") -> dict:
    """``import_values`` keyword arguments from DHIS2's query parameters (``dryRun``, ``importStrategy``,
    ``firstRowIsHeader``) and the request's content type (``UnsupportedFormat`` for what is not served)."""
    _check_id_schemes(query)
    header = _query_value(query, "firstRowIsHeader")
    return {"fmt": format_of(content_type), "dry_run": _flag(_query_value(query, "dryRun")),
            "strategy": _query_value(query, "importStrategy") or CREATE_AND_UPDATE,
            "first_row_is_header": _flag(header) if header else True}


# --- import ----------------------------------------------------------------------------------------------------


class PayloadError(ValueError):
    """The payload as a whole cannot be read; nothing in it is used."""


@dataclass
class Incoming:
    """One data value as read from the payload, still text."""

    index: int
    element: str
    period: str
    org_unit: str
    value: object
    combo: str = ""
    attribute_combo: str = ""
    comment: str = ""
    deleted: bool = False
    followup: bool | None = None
    stored_by: str = ""
    #: ADX: the data set of the row's group.
    data_set: str = ""


def _decode(payload: bytes | str) -> str:
    if isinstance(payload, str):
        return payload.lstrip("\ufeff")
    try:
        return payload.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PayloadError(_("Berkas bukan teks UTF-8. Simpan ulang sebagai UTF-8 lalu kirim kembali.")) from None


def _read_json(text: str) -> tuple[dict, list[Incoming]]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PayloadError(_("Berkas bukan JSON yang sah (baris %(line)s, kolom %(col)s).")
                           % {"line": exc.lineno, "col": exc.colno}) from None
    if isinstance(doc, list):
        doc = {"dataValues": doc}
    if not isinstance(doc, dict) or not isinstance(doc.get("dataValues") or [], list):
        raise PayloadError(_("JSON harus berupa objek dataValueSets dengan daftar dataValues."))
    header = {k: _text(doc.get(k)) for k in ("dataSet", "period", "orgUnit", "attributeOptionCombo",
                                             "completeDate")}
    items = []
    for i, dv in enumerate(doc.get("dataValues") or []):
        if not isinstance(dv, dict):
            dv = {}
        items.append(Incoming(
            index=i, element=_text(dv.get("dataElement")), period=_text(dv.get("period")) or header["period"],
            org_unit=_text(dv.get("orgUnit")) or header["orgUnit"], value=dv.get("value"),
            combo=_text(dv.get("categoryOptionCombo")),
            attribute_combo=_text(dv.get("attributeOptionCombo")) or header["attributeOptionCombo"],
            comment=_text(dv.get("comment")), deleted=_flag(dv.get("deleted")),
            followup=None if dv.get("followup") is None else _flag(dv.get("followup")),
            stored_by=_text(dv.get("storedBy"))))
    return header, items


def _read_csv(text: str, first_row_is_header: bool = True) -> tuple[dict, list[Incoming]]:
    """DHIS2 2.40 ``CsvDataValueSetReader``: columns by position (element, period, unit, category option combo,
    attribute option combo, value, storedBy, lastUpdated, comment, followup, deleted), whatever the header says;
    the first row is skipped unless ``firstRowIsHeader=false``."""
    try:
        lines = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise PayloadError(_("CSV tidak dapat dibaca: %(err)s") % {"err": exc}) from None
    if first_row_is_header and lines:
        lines.pop(0)
    items = []
    for i, cells in enumerate(r for r in lines if any(c.strip() for c in r)):
        cells = [c.strip() for c in cells] + [""] * (len(CSV_COLUMNS) - len(cells))
        items.append(Incoming(
            index=i, element=cells[0], period=cells[1], org_unit=cells[2], value=cells[5], combo=cells[3],
            attribute_combo=cells[4], stored_by=cells[6], comment=cells[8],
            followup=_flag(cells[9]) if cells[9] else None, deleted=_flag(cells[10])))
    return {}, items


def _detect(text: str) -> str:
    return "json" if text.lstrip()[:1] in ("{", "[") else "csv"


class Conflicts:
    """DHIS2's conflicts: one per (object, reason), listing the positions of the rows it applies to."""

    def __init__(self):
        self.by_key: dict[tuple, dict] = {}
        self.rows: set[int] = set()

    def add(self, item: Incoming, obj: str, prop: str, reason: str, code: str | None = None) -> None:
        entry = self.by_key.setdefault((obj, prop, reason), {
            "object": obj, "objects": {prop: obj} if prop else {}, "value": reason, "errorCode": code,
            "property": prop, "indexes": []})
        entry["indexes"].append(item.index)
        self.rows.add(item.index)

    def as_list(self) -> list[dict]:
        return sorted(self.by_key.values(), key=lambda c: c["indexes"][0])


def _summary(*, status: str, description: str, dry_run: bool, strategy: str, imported=0, updated=0, ignored=0,
             deleted=0, conflicts=(), rejected=(), complete: str = "false") -> dict:
    """DHIS2 2.40's ``ImportSummary``."""
    return {
        "responseType": "ImportSummary",
        "status": status,
        "importOptions": {"dryRun": dry_run, "importStrategy": strategy, "idSchemes": {"idScheme": "CODE"}},
        "description": description,
        "importCount": {"imported": imported, "updated": updated, "ignored": ignored, "deleted": deleted},
        "conflicts": list(conflicts),
        "rejectedIndexes": sorted(rejected),
        "dataSetComplete": complete,
    }


def _failed(message: str, *, dry_run: bool, strategy: str) -> dict:
    return _summary(status="ERROR", description=message, dry_run=dry_run, strategy=strategy)


def web_message(summary: dict) -> tuple[int, dict]:
    """DHIS2 2.40 ``WebMessageUtils.importSummary``: the HTTP status and the WebMessage around ``summary``."""
    if summary["status"] == "ERROR":
        code, status, message = 409, "ERROR", "An error occurred, please check import summary."
    elif summary["status"] == "WARNING":
        code, status, message = 409, "WARNING", "One more conflicts encountered, please check import summary."
    else:
        code, status, message = 200, "OK", "Import was successful."
    return code, {"httpStatus": "OK" if code == 200 else "Conflict", "httpStatusCode": code, "status": status,
                  "message": message, "response": summary}


_PROBLEM_CODES = {"dataElement": E_ELEMENT, "orgUnit": E_ORG_UNIT, "value": E_VALUE, "comment": E_COMMENT}


class _Checker:
    """Turns incoming rows into ``NewValue`` or a conflict: the shared checks (``checks.ValueChecker``) plus
    what only DHIS2 payloads carry (the header's data set, category option combos, deletion, followup)."""

    def __init__(self, user, header_data_set: DataSet | None, strategy: str):
        self.values = ValueChecker(None if user is None else user.scope)
        self.header_data_set = header_data_set
        self.strategy = strategy
        self.data_sets = {ds.code: ds for ds in DataSet.objects.all()}

    def check(self, item: Incoming, conflicts: Conflicts) -> NewValue | None:
        for combo, prop, code in ((item.combo, "categoryOptionCombo", E_COMBO),
                                  (item.attribute_combo, "attributeOptionCombo", E_ATTRIBUTE)):
            if combo.lower() not in DEFAULT_COMBOS:
                conflicts.add(item, combo, prop, _("Kombinasi kategori %(c)s tidak dikenal: Bina Sehat tidak memakai "
                                                   "disagregasi; kosongkan atau tulis default.") % {"c": combo}, code)
                return None
        header = self.header_data_set
        element = self.values.elements.get(item.element)
        if item.data_set:
            header = self.data_sets.get(item.data_set)
            if header is None:
                conflicts.add(item, item.data_set, "dataSet", _("Kumpulan data %(codes)s tidak dikenal.")
                              % {"codes": item.data_set}, E_DATA_SET)
                return None
        if header is not None and element is not None and element.data_set_id != header.pk:
            conflicts.add(item, item.element, "dataElement",
                          _("Elemen data %(code)s bukan bagian dari kumpulan data %(ds)s.")
                          % {"code": item.element, "ds": header.code}, E_NOT_IN_DATA_SET)
            return None
        try:
            new = self.values.check(element=item.element, period=item.period, org_unit=item.org_unit,
                                    value=item.value, comment=item.comment,
                                    delete=item.deleted or self.strategy == DELETE, index=item.index + 1)
        except RowProblem as exc:
            obj = {"dataElement": item.element, "period": item.period, "orgUnit": item.org_unit,
                   "value": _text(item.value), "comment": item.element,
                   "dataValue": f"{item.element}/{item.org_unit}/{item.period}"}[exc.field]
            code = _PROBLEM_CODES.get(exc.field)
            if exc.field == "period":
                code = E_FUTURE if "belum dimulai" in str(exc) else E_PERIOD_TYPE if "diisi per" in str(exc) \
                    else E_PERIOD
            conflicts.add(item, obj or "(kosong)", exc.field, str(exc), code)
            return None
        return NewValue(new.element, new.unit, new.period, new.value, new.comment, delete=new.delete,
                        followup=item.followup, stored_by=item.stored_by)


def _apply_strategy(strategy: str, accepted: list[tuple[Incoming, NewValue]], conflicts: Conflicts) -> list[NewValue]:
    """CREATE leaves stored values alone, UPDATE creates nothing: rows they refuse become conflicts."""
    if strategy not in (CREATE, UPDATE) or not accepted:
        return [v for _item, v in accepted]
    stored: dict[tuple, tuple[float, str]] = {}
    by_element: dict[int, set[str]] = {}
    for _item, v in accepted:
        by_element.setdefault(v.element.pk, set()).add(v.unit.code)
    periods = sorted({str(v.period) for _item, v in accepted})
    for element_id, units in by_element.items():
        for unit, period, value, comment in DataValue.objects.filter(
                element_id=element_id, org_unit__in=sorted(units), period__in=periods).values_list(
                "org_unit", "period", "value", "comment"):
            stored[(element_id, unit, period)] = (value, comment)
    kept = []
    for item, v in accepted:
        old = stored.get((v.element.pk, v.unit.code, str(v.period)))
        if strategy == CREATE and old is not None and (
                v.deletes or (v.value is not None and old[0] != v.value) or (v.comment and v.comment != old[1])):
            conflicts.add(item, f"{v.element.code}/{v.unit.code}/{v.period.dhis2}", "dataValue",
                          _("Nilai sudah ada: strategi CREATE tidak mengubah atau menghapus nilai yang ada."))
        elif strategy == UPDATE and old is None and not v.deletes:
            conflicts.add(item, f"{v.element.code}/{v.unit.code}/{v.period.dhis2}", "dataValue",
                          _("Belum ada nilai untuk diubah: strategi UPDATE tidak membuat nilai baru."))
        else:
            kept.append(v)
    return kept


def _complete_date(text: str) -> dt.date | None:
    """DHIS2 2.40 ``getCompletionDate``: ``true`` is today, ``false`` or empty nothing, a date after today today."""
    text = _text(text)
    today = timezone.localdate()
    if not text or text.lower() == "false":
        return None
    if text.lower() == "true":
        return today
    try:
        return min(dt.date.fromisoformat(text[:10]), today)
    except ValueError:
        raise PayloadError(_("completeDate %(d)s tidak dikenal: tulis 2025-01-31, true atau false.") % {"d": text}) \
            from None


def import_values(user, payload: bytes | str, *, fmt: str = "json", dry_run: bool = False,
                  strategy: str = CREATE_AND_UPDATE, first_row_is_header: bool = True) -> dict:
    """Import a DHIS2 data value set (``fmt`` "json", "csv" or "auto") as ``user`` (None: the system).

    Every row is checked (element, category combos, period and its type, not in the future, unit of the data
    set's kind, inside the user's scope with ``programs.enter``, value, duplicates); rows failing a check are
    conflicts and are ignored, the others are written in one ``datavalues_write`` call. ``dry_run`` writes
    nothing and reports the same counts. A header ``completeDate`` with ``dataSet``, ``period`` and ``orgUnit``
    registers the data set as complete. Returns DHIS2 2.40's import summary (see the module docstring).
    """
    chosen = STRATEGIES.get((strategy or CREATE_AND_UPDATE).strip().upper())
    if chosen is None:
        return _failed(_("Strategi impor %(s)s tidak dikenal: pakai CREATE_AND_UPDATE, CREATE, UPDATE atau DELETE.")
                       % {"s": strategy}, dry_run=dry_run, strategy=str(strategy))
    fmt = (fmt or "auto").strip().lower()
    try:
        text = _decode(payload)
        if fmt == "auto":
            fmt = _detect(text)
        if fmt == "json":
            header, items = _read_json(text)
        elif fmt == "csv":
            header, items = _read_csv(text, first_row_is_header)
        elif fmt == "adx":
            header, items = _read_adx(text)
        else:
            raise PayloadError(_("Format %(f)s tidak dikenal: pakai json atau csv.") % {"f": fmt})
        header_data_set = None
        if header.get("dataSet"):
            header_data_set = DataSet.objects.filter(code=header["dataSet"]).first()
            if header_data_set is None:
                raise PayloadError(_("Kumpulan data %(codes)s tidak dikenal.") % {"codes": header["dataSet"]})
        complete_on = _complete_date(header.get("completeDate"))
    except PayloadError as exc:
        return _failed(str(exc), dry_run=dry_run, strategy=chosen)

    conflicts = Conflicts()
    checker = _Checker(user, header_data_set, chosen)
    accepted = []
    for item in items:
        new = checker.check(item, conflicts)
        if new is not None:
            accepted.append((item, new))
    values = _apply_strategy(chosen, accepted, conflicts)
    try:
        written = datavalues_write(actor=user, values=values, source="dhis2", dry_run=dry_run)
    except WriteConflict as exc:
        return _failed(str(exc), dry_run=dry_run, strategy=chosen)
    item_of = {id(v): item for item, v in accepted}
    for v in written.without_value:
        conflicts.add(item_of[id(v)], f"{v.element.code}/{v.unit.code}/{v.period.dhis2}", "value",
                      _("Hanya catatan tanpa nilai, padahal belum ada nilai tersimpan untuk diberi catatan."))
    complete = "false"
    if complete_on is not None and header_data_set is not None:
        complete = _register_completion(user, header, header_data_set, complete_on, dry_run)
    for group in header.get("groups", ()):  # ADX: each group may carry its completeDate
        try:
            on = _complete_date(group.get("completeDate"))
        except PayloadError:
            continue
        data_set = checker.data_sets.get(group.get("dataSet", ""))
        if on is not None and data_set is not None:
            complete = _register_completion(user, group, data_set, on, dry_run)
    if not conflicts.rows:
        status, description = "SUCCESS", _("Impor selesai.")
    else:
        status, description = "WARNING", _("Impor selesai; %(n)s nilai diabaikan.") % {"n": len(conflicts.rows)}
    if dry_run:
        description += " " + _("Uji coba: tidak ada yang disimpan.")
    return _summary(status=status, description=description, dry_run=dry_run, strategy=chosen,
                    imported=written.imported, updated=written.updated,
                    ignored=len(conflicts.rows) + written.unchanged, deleted=written.deleted,
                    conflicts=conflicts.as_list(), rejected=conflicts.rows, complete=complete)


def _register_completion(user, header: dict, data_set: DataSet, complete_on: dt.date, dry_run: bool) -> str:
    """Register the header's (data set, period, org unit) complete on ``complete_on``; DHIS2's
    ``dataSetComplete`` answer: the date, or ``false`` when the header names no valid period and unit."""
    from .completeness import CompletionRefused, completion_register

    try:
        completion_register(actor=user, data_set=data_set, org_unit=header.get("orgUnit", ""),
                            period=header.get("period", ""), completed_on=complete_on, dry_run=dry_run,
                            source="dhis2")
    except CompletionRefused:
        return "false"
    return complete_on.isoformat()


# --- ADX -------------------------------------------------------------------------------------------------------


def adx_period(period: Period) -> str:
    """ADX's period: the first day and an ISO 8601 duration (``2025-01-01/P1M``, ``2025-01-01/P1Y``)."""
    length = {"month": "P1M", "year": "P1Y"}.get(period.kind, f"P{len(period.months())}M")
    return f"{period.start.isoformat()}/{length}"


def _period_of_adx(text: str) -> str:
    """``2025-01-01/P1M`` → ``202501``, ``2025-01-01/P1Y`` → ``2025``; anything else is passed on as it is."""
    match = re.fullmatch(r"(\d{4})-(\d{2})-01/P(1M|1Y|12M)", _text(text))
    if not match:
        return _text(text)
    year, month, length = match.groups()
    return f"{year}{month}" if length == "1M" else year if month == "01" else _text(text)


def as_adx(rows: Iterable[dict]) -> str:
    """The rows as an ADX document: one ``group`` per data set, unit and period (DHIS2 2.40
    ``DefaultAdxDataService``), comments as ``annotation``."""
    from xml.etree import ElementTree as ET

    data_set_of = dict(DataElement.objects.values_list("code", "data_set__code"))
    root = ET.Element("adx", {"xmlns": ADX_NAMESPACE,
                              "exported": timezone.now().isoformat(timespec="seconds")})
    groups: dict[tuple, ET.Element] = {}
    for r in rows:
        key = (data_set_of.get(r["dataElement"], ""), r["orgUnit"], r["period"])
        group = groups.get(key)
        if group is None:
            group = groups[key] = ET.SubElement(root, "group", {
                "dataSet": key[0], "orgUnit": key[1], "period": adx_period(_as_period(key[2]))})
        attrs = {"dataElement": r["dataElement"], "value": r["value"]}
        if r.get("deleted"):
            attrs["deleted"] = "true"
        value = ET.SubElement(group, "dataValue", attrs)
        if r.get("comment"):
            ET.SubElement(value, "annotation").text = r["comment"]
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


_ADX_VALUE_ATTRIBUTES = frozenset({"dataElement", "value", "deleted"})


def _read_adx(text: str) -> tuple[dict, list[Incoming]]:
    """An ADX document: every ``group`` (``dataSet``, ``orgUnit``, ``period``, optional ``completeDate``) and its
    ``dataValue``s; an ``annotation`` is the comment. Any other attribute of a value is a disaggregation, which
    Bina Sehat does not have (a conflict, as an unknown category option combo)."""
    from xml.etree import ElementTree as ET

    if "<!DOCTYPE" in text[:2000].upper() or "<!ENTITY" in text.upper():
        raise PayloadError(_("ADX dengan DOCTYPE atau ENTITY tidak diterima."))
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as exc:
        raise PayloadError(_("Berkas bukan XML yang sah: %(err)s") % {"err": exc}) from None
    ns = "{" + ADX_NAMESPACE + "}"
    if root.tag != ns + "adx":
        raise PayloadError(_("Berkas bukan ADX: elemen akarnya harus adx dengan namespace %(ns)s.")
                           % {"ns": ADX_NAMESPACE})
    groups, items = [], []
    for group in root.iter(ns + "group"):
        g = {k: _text(group.get(k)) for k in ("dataSet", "orgUnit", "period", "completeDate",
                                             "attributeOptionCombo")}
        g["period"] = _period_of_adx(g["period"])
        groups.append(g)
        for dv in group.iter(ns + "dataValue"):
            extra = {k: v for k, v in dv.attrib.items() if k not in _ADX_VALUE_ATTRIBUTES}
            note = dv.find(ns + "annotation")
            items.append(Incoming(
                index=len(items), element=_text(dv.get("dataElement")), period=g["period"], org_unit=g["orgUnit"],
                value=dv.get("value"), combo=",".join(f"{k}={v}" for k, v in sorted(extra.items())),
                attribute_combo=g["attributeOptionCombo"], comment=_text(note.text if note is not None else ""),
                deleted=_flag(dv.get("deleted")), data_set=g["dataSet"]))
    return {"groups": groups}, items
