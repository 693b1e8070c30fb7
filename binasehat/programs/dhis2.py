"""DHIS2 ``dataValueSets``: programme data out (JSON, CSV) and in (JSON, CSV), as a DHIS2 instance exchanges it.

Identifiers are always codes (DHIS2's ``idScheme=CODE``): the data element code (``DBD_KASUS``), the
organisation unit's Kemendagri region code (``19.03.01.2001``) or puskesmas code (``P19030101``), periods in
DHIS2's spelling (``202510``, ``2025Q4``, ``2025``; ours, ``2025-10``, is read too). There is no
disaggregation: category and attribute option combos are left out on export; on import they must be empty or
DHIS2's default (``HllvX50cXC0`` / ``default``).

These functions take the acting user (None: the system, with full scope) and plain parameters, and return
JSON-ready dicts or text, so the REST API and ``manage.py dhis2_datavalues`` are thin wrappers:

* ``export_values(user, …) -> rows``; ``as_json(rows, dataSet=…)`` / ``as_csv(rows)``.
* ``export_options(request.GET)`` / ``import_options(request.GET, request.content_type)`` turn DHIS2's query
  parameters into those functions' keyword arguments (``ParameterError`` for what cannot be served).
* ``import_values(user, payload, fmt=, dry_run=, strategy=) -> summary``: DHIS2's import summary
  (``status``, ``description``, ``importCount``, ``conflicts``, ``dataSetComplete``). Differences from DHIS2,
  deliberately: ``importCount`` also has ``unchanged`` — values equal to what is stored (and deletions of
  values that do not exist) are accepted but change nothing, so re-importing an export shows
  ``imported=0 updated=0 unchanged=N`` where DHIS2 would say ``updated=N``; ``ignored`` counts exactly the
  rows named in ``conflicts`` (one conflict per distinct object and reason, with the 0-based positions of the
  rows in ``indexes``). Of several rows with the same element, unit and period the first is used and the others
  are conflicts (DHIS2 lets the last one win silently).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from binasehat.core.cells import SafeCsvWriter
from binasehat.core.periods import YEAR, Period, PeriodError
from binasehat.core.scope import Scope
from binasehat.facilities.models import Puskesmas
from binasehat.regions.models import Region

from .models import DataElement, DataSet, DataValue
from .checks import RowProblem, ValueChecker
from .services import NewValue, datavalues_write

#: DHIS2's default category option combo, by UID and by code/name; empty means the same here.
DEFAULT_COMBOS = frozenset({"", "hllvx50cxc0", "default"})
CSV_COLUMNS = ["dataelement", "period", "orgunit", "categoryoptioncombo", "attributeoptioncombo", "value",
               "storedby", "lastupdated", "comment", "followup", "deleted"]
CREATE_AND_UPDATE, CREATE, UPDATE, DELETE = "CREATE_AND_UPDATE", "CREATE", "UPDATE", "DELETE"
#: Import strategies, with the names older DHIS2 versions used.
STRATEGIES = {CREATE_AND_UPDATE: CREATE_AND_UPDATE, CREATE: CREATE, UPDATE: UPDATE, DELETE: DELETE,
              "NEW_AND_UPDATES": CREATE_AND_UPDATE, "NEW": CREATE, "UPDATES": UPDATE, "DELETES": DELETE}
TRUE_TEXTS = frozenset({"true", "1", "yes", "ya", "y", "t"})


class ParameterError(ValueError):
    """A request parameter names nothing this system knows; the message says which, in Indonesian."""


def _scope_of(user) -> Scope:
    return Scope(everything=True) if user is None else user.scope


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _flag(value) -> bool:
    return value is True or _text(value).lower() in TRUE_TEXTS


def dhis2_value(value: float) -> str:
    """A number as DHIS2 writes it: ``12``, not ``12.0``."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


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
        return dt.date.fromisoformat(str(d).strip())
    except ValueError:
        raise ParameterError(_("Tanggal %(d)s tidak dikenal: tulis 2025-01-31.") % {"d": d}) from None


def _stored_periods_inside(period: Period) -> set[str]:
    """The stored period texts (months, years) lying inside ``period``: a year holds its months too."""
    inside = {str(Period.month(m // 12, m % 12 + 1)) for m in period.months()}
    if period.kind == YEAR:
        inside.add(str(period))
    return inside


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


def export_values(user, *, data_sets: Sequence[str] | None = None, elements: Sequence[str] | None = None,
                  periods: Sequence[Period | str] | None = None, start: dt.date | str | None = None,
                  end: dt.date | str | None = None, org_unit: str | Sequence[str] | None = None,
                  children: bool = True) -> list[dict]:
    """The data values the user may see, as DHIS2 JSON ``dataValues`` entries.

    ``periods``: values whose period lies inside one of them (``2025`` gives the year's monthly values and the
    yearly ones; ``2025Q4`` three months). ``start``/``end``: values whose whole period lies between these dates,
    as DHIS2's ``startDate``/``endDate``. ``org_unit`` (one code or several): a region (with ``children``,
    everything below it, puskesmas of its kecamatan included) or a puskesmas. Unknown codes raise
    ``ParameterError``; a unit outside the user's scope simply yields nothing.
    ``export_values(user, **export_options(request.GET))`` reads DHIS2's query parameters.
    """
    scope = _scope_of(user)
    qs = DataValue.objects.all()
    if not scope.everything:
        q = scope.region_q("region__code")
        if scope.puskesmas_ids:
            q |= Q(puskesmas_id__in=sorted(scope.puskesmas_ids))
        qs = qs.filter(q)
    if data_sets:
        codes = _check_codes(DataSet, data_sets, _("Kumpulan data %(codes)s tidak dikenal."))
        qs = qs.filter(element__data_set__code__in=codes)
    if elements:
        codes = _check_codes(DataElement, elements, _("Elemen data %(codes)s tidak dikenal."))
        qs = qs.filter(element__code__in=codes)
    if periods:
        inside = set()
        for p in periods:
            inside |= _stored_periods_inside(_as_period(p))
        qs = qs.filter(period__in=sorted(inside))
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
    rows = qs.order_by("element__data_set__sort", "org_unit", "period_start", "element__sort").values_list(
        "element__code", "period", "org_unit", "value", "comment", "updated_at", "updated_by__username")
    parsed: dict[str, Period] = {}
    out = []
    for code, period, unit, value, comment, updated_at, username in rows:
        p = parsed.get(period) or parsed.setdefault(period, Period.parse(period))
        if end and p.end > end:
            continue
        out.append({
            "dataElement": code, "period": p.dhis2, "orgUnit": unit, "value": dhis2_value(value),
            "storedBy": username or "",
            "lastUpdated": updated_at.astimezone(dt.UTC).isoformat(timespec="milliseconds") if updated_at else "",
            "comment": comment, "followup": False,
        })
    return out


_HEADER_NAMES = {"data_set": "dataSet", "org_unit": "orgUnit", "complete_date": "completeDate"}


def as_json(rows: list[dict], **header) -> dict:
    """The ``dataValueSets`` document: optional header fields (``dataSet``, ``period``, ``orgUnit``,
    ``completeDate``; snake_case accepted) and ``dataValues``."""
    doc = {_HEADER_NAMES.get(k, k): v for k, v in header.items() if v not in (None, "")}
    doc["dataValues"] = rows
    return doc


def as_csv(rows: Iterable[dict]) -> str:
    """DHIS2's data value CSV, with its header row."""
    buf = io.StringIO()
    writer = SafeCsvWriter(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow([r["dataElement"], r["period"], r["orgUnit"], "", "", r["value"], r.get("storedBy", ""),
                         r.get("lastUpdated", ""), r.get("comment", ""),
                         "true" if r.get("followup") else "false", "true" if r.get("deleted") else "false"])
    return buf.getvalue()


def _query_values(query, name: str) -> list[str]:
    """All values of a query parameter (a Django QueryDict or a plain dict of strings or lists)."""
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
    for name in ("idScheme", "dataElementIdScheme", "orgUnitIdScheme", "dataSetIdScheme"):
        scheme = _query_value(query, name)
        if scheme and scheme.upper() != "CODE":
            raise ParameterError(_("%(name)s=%(scheme)s tidak didukung: Bina Sehat memakai kode (idScheme=CODE).")
                                 % {"name": name, "scheme": scheme})


def export_options(query) -> dict:
    """``export_values`` keyword arguments from DHIS2's query parameters (``dataSet``, ``dataElement``,
    ``period``, ``startDate``, ``endDate``, ``orgUnit``, each repeatable where DHIS2's are, and ``children``,
    false unless given, as in DHIS2)."""
    _check_id_schemes(query)
    return {"data_sets": _query_values(query, "dataSet"), "elements": _query_values(query, "dataElement"),
            "periods": _query_values(query, "period"), "start": _query_value(query, "startDate") or None,
            "end": _query_value(query, "endDate") or None, "org_unit": _query_values(query, "orgUnit") or None,
            "children": _flag(_query_value(query, "children"))}


def import_options(query, content_type: str = "") -> dict:
    """``import_values`` keyword arguments from DHIS2's query parameters (``dryRun``, ``importStrategy``) and
    the request's content type (``application/json``, ``application/csv`` or ``text/csv``; else sniffed)."""
    _check_id_schemes(query)
    kind = (content_type or "").lower()
    return {"fmt": "csv" if "csv" in kind else "json" if "json" in kind else "auto",
            "dry_run": _flag(_query_value(query, "dryRun")),
            "strategy": _query_value(query, "importStrategy") or CREATE_AND_UPDATE}


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
    if not isinstance(doc, dict) or not isinstance(doc.get("dataValues", []), list):
        raise PayloadError(_("JSON harus berupa objek dataValueSets dengan daftar dataValues."))
    header = {k: _text(doc.get(k)) for k in ("dataSet", "period", "orgUnit", "attributeOptionCombo")}
    items = []
    for i, dv in enumerate(doc.get("dataValues", [])):
        if not isinstance(dv, dict):
            dv = {}
        items.append(Incoming(
            index=i, element=_text(dv.get("dataElement")), period=_text(dv.get("period")) or header["period"],
            org_unit=_text(dv.get("orgUnit")) or header["orgUnit"], value=dv.get("value"),
            combo=_text(dv.get("categoryOptionCombo")),
            attribute_combo=_text(dv.get("attributeOptionCombo")) or header["attributeOptionCombo"],
            comment=_text(dv.get("comment")), deleted=_flag(dv.get("deleted"))))
    return header, items


def _column_key(name: str) -> str:
    return name.strip().lstrip("\ufeff").lower().replace("_", "").replace(" ", "")


def _read_csv(text: str) -> tuple[dict, list[Incoming]]:
    try:
        lines = [r for r in csv.reader(io.StringIO(text, newline="")) if any(c.strip() for c in r)]
    except csv.Error as exc:
        raise PayloadError(_("CSV tidak dapat dibaca: %(err)s") % {"err": exc}) from None
    columns = CSV_COLUMNS
    if lines and _column_key(lines[0][0]) == "dataelement":
        columns = [_column_key(c) for c in lines.pop(0)]
        missing = [c for c in ("dataelement", "period", "orgunit", "value") if c not in columns]
        if missing:
            raise PayloadError(_("Kolom %(cols)s tidak ada di baris judul CSV.") % {"cols": ", ".join(missing)})
    items = []
    for i, cells in enumerate(lines):
        row = dict(zip(columns, (c.strip() for c in cells)))
        items.append(Incoming(
            index=i, element=row.get("dataelement", ""), period=row.get("period", ""),
            org_unit=row.get("orgunit", ""), value=row.get("value", ""),
            combo=row.get("categoryoptioncombo", ""), attribute_combo=row.get("attributeoptioncombo", ""),
            comment=row.get("comment", ""), deleted=_flag(row.get("deleted"))))
    return {}, items


def _detect(text: str) -> str:
    return "json" if text.lstrip()[:1] in ("{", "[") else "csv"


class Conflicts:
    """DHIS2's conflicts: one per (object, reason), listing the positions of the rows it applies to."""

    def __init__(self):
        self.by_key: dict[tuple, dict] = {}
        self.rows = 0

    def add(self, item: Incoming, obj: str, prop: str, reason: str) -> None:
        entry = self.by_key.setdefault((obj, prop, reason),
                                       {"object": obj, "property": prop, "value": reason, "indexes": []})
        entry["indexes"].append(item.index)
        self.rows += 1

    def as_list(self) -> list[dict]:
        return sorted(self.by_key.values(), key=lambda c: c["indexes"][0])


def _summary(*, status: str, description: str, dry_run: bool, strategy: str, imported=0, updated=0, ignored=0,
             deleted=0, unchanged=0, conflicts=()) -> dict:
    return {
        "responseType": "ImportSummary",
        "status": status,
        "description": description,
        "importOptions": {"dryRun": dry_run, "importStrategy": strategy, "idSchemes": {"idScheme": "CODE"}},
        "importCount": {"imported": imported, "updated": updated, "ignored": ignored, "deleted": deleted,
                        "unchanged": unchanged},
        "conflicts": list(conflicts),
        "dataSetComplete": "false",
    }


def _failed(message: str, *, dry_run: bool, strategy: str) -> dict:
    return _summary(status="ERROR", description=message, dry_run=dry_run, strategy=strategy)


class _Checker:
    """Turns incoming rows into ``NewValue`` or a conflict: the shared checks (``checks.ValueChecker``) plus
    what only DHIS2 payloads carry (the header's data set, category option combos, deletion)."""

    def __init__(self, user, header_data_set: DataSet | None, strategy: str):
        self.values = ValueChecker(None if user is None else user.scope)
        self.header_data_set = header_data_set
        self.strategy = strategy

    def check(self, item: Incoming, conflicts: Conflicts) -> NewValue | None:
        for combo, prop in ((item.combo, "categoryOptionCombo"), (item.attribute_combo, "attributeOptionCombo")):
            if combo.lower() not in DEFAULT_COMBOS:
                conflicts.add(item, combo, prop, _("Kombinasi kategori %(c)s tidak dikenal: Bina Sehat tidak memakai "
                                                   "disagregasi; kosongkan atau tulis default.") % {"c": combo})
                return None
        header = self.header_data_set
        element = self.values.elements.get(item.element)
        if header is not None and element is not None and element.data_set_id != header.pk:
            conflicts.add(item, item.element, "dataElement",
                          _("Elemen data %(code)s bukan bagian dari kumpulan data %(ds)s.")
                          % {"code": item.element, "ds": header.code})
            return None
        try:
            return self.values.check(element=item.element, period=item.period, org_unit=item.org_unit,
                                     value=item.value, comment=item.comment,
                                     delete=item.deleted or self.strategy == DELETE, index=item.index + 1)
        except RowProblem as exc:
            obj = {"dataElement": item.element, "period": item.period, "orgUnit": item.org_unit,
                   "value": _text(item.value), "comment": item.element,
                   "dataValue": f"{item.element}/{item.org_unit}/{item.period}"}[exc.field]
            conflicts.add(item, obj or "(kosong)", exc.field, str(exc))
            return None


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
                v.value is None or old[0] != v.value or (v.comment and v.comment != old[1])):
            conflicts.add(item, f"{v.element.code}/{v.unit.code}/{v.period.dhis2}", "dataValue",
                          _("Nilai sudah ada: strategi CREATE tidak mengubah atau menghapus nilai yang ada."))
        elif strategy == UPDATE and old is None and v.value is not None:
            conflicts.add(item, f"{v.element.code}/{v.unit.code}/{v.period.dhis2}", "dataValue",
                          _("Belum ada nilai untuk diubah: strategi UPDATE tidak membuat nilai baru."))
        else:
            kept.append(v)
    return kept


def import_values(user, payload: bytes | str, *, fmt: str = "json", dry_run: bool = False,
                  strategy: str = CREATE_AND_UPDATE) -> dict:
    """Import a DHIS2 data value set (``fmt`` "json", "csv" or "auto") as ``user`` (None: the system).

    Every row is checked (element, category combos, period and its type, not in the future, unit of the data
    set's kind, inside the user's scope with ``programs.enter``, value, duplicates); rows failing a check are
    conflicts and are ignored, the others are written in one ``datavalues_write`` call. An empty value or
    ``deleted`` deletes, as does ``strategy="DELETE"`` for every row. ``dry_run`` writes nothing and reports
    the same counts. Returns DHIS2's import summary (see the module docstring).
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
            header, items = _read_csv(text)
        else:
            raise PayloadError(_("Format %(f)s tidak dikenal: pakai json atau csv.") % {"f": fmt})
        header_data_set = None
        if header.get("dataSet"):
            header_data_set = DataSet.objects.filter(code=header["dataSet"]).first()
            if header_data_set is None:
                raise PayloadError(_("Kumpulan data %(codes)s tidak dikenal.") % {"codes": header["dataSet"]})
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
    written = datavalues_write(actor=user, values=values, source="dhis2", dry_run=dry_run)
    done = written.imported + written.updated + written.deleted + written.unchanged
    if not conflicts.rows:
        status, description = "SUCCESS", _("Impor selesai.")
    elif done:
        status, description = "WARNING", _("Impor selesai; %(n)s nilai diabaikan.") % {"n": conflicts.rows}
    else:
        status, description = "ERROR", _("Tidak ada nilai yang dapat diimpor.")
    if dry_run:
        description += " " + _("Uji coba: tidak ada yang disimpan.")
    return _summary(status=status, description=description, dry_run=dry_run, strategy=chosen,
                    imported=written.imported, updated=written.updated, ignored=conflicts.rows,
                    deleted=written.deleted, unchanged=written.unchanged, conflicts=conflicts.as_list())

