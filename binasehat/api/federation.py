"""Federation: one Bina Sehat (a district) sends its programme data values to another Bina Sehat (a province) or
to any DHIS2 2.40 as ``dataValueSets``, and takes them back the other way — incrementally (only values changed
since the last finished run, deletions included), idempotently (a repeat sends nothing new; values already there
are ignored by the receiver), with a mapping file for codes that differ on the other side. Every run is a
``FederationRun`` and an audit entry.

Mapping file (JSON): ``{"dataElements": {"DBD_KASUS": "their code"}, "orgUnits": {"19.03.01.2001": "…"}}``;
codes not listed are sent as they are. A pull maps their codes back to ours."""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import Max
from django.utils import timezone

from binasehat.core.audit import audit_record
from binasehat.programs import dhis2 as exchange
from binasehat.programs.models import DataValue

from .models import FederationRun

COUNT_KEYS = ("imported", "updated", "ignored", "deleted")


class FederationError(RuntimeError):
    """The other side could not be reached or answered something that is not a DHIS2 answer."""


@dataclass
class Mapping:
    data_elements: dict[str, str] = field(default_factory=dict)
    org_units: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path | None) -> Mapping:
        if not path:
            return cls()
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(dict(doc.get("dataElements", {})), dict(doc.get("orgUnits", {})))

    def outgoing(self, row: dict) -> dict:
        return {**row, "dataElement": self.data_elements.get(row["dataElement"], row["dataElement"]),
                "orgUnit": self.org_units.get(row["orgUnit"], row["orgUnit"])}

    def incoming(self, row: dict) -> dict:
        elements = {v: k for k, v in self.data_elements.items()}
        units = {v: k for k, v in self.org_units.items()}
        return {**row, "dataElement": elements.get(row.get("dataElement"), row.get("dataElement")),
                "orgUnit": units.get(row.get("orgUnit"), row.get("orgUnit"))}


def _request(url: str, token: str, *, body: bytes | None = None, timeout: float = 120) -> tuple[int, dict]:
    headers = {"Authorization": f"ApiToken {token}", "Accept": "application/json"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST" if body is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, text = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, text = exc.code, exc.read()
        if status not in (409,):
            raise FederationError(f"{url}: HTTP {status} {text[:300]!r}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise FederationError(f"{url}: {exc}") from None
    try:
        return status, json.loads(text)
    except ValueError:
        raise FederationError(f"{url}: the answer is not JSON") from None


def _api(base: str, path: str, params: dict | None = None) -> str:
    url = base.rstrip("/") + "/api/" + path
    return url + ("?" + urllib.parse.urlencode(params, doseq=True) if params else "")


def _last_finished(direction: str, url: str) -> FederationRun | None:
    return (FederationRun.objects.filter(direction=direction, url=url, status=FederationRun.Status.OK)
            .exclude(watermark=None).order_by("-watermark").first())


def _finish(run: FederationRun, *, actor, counts: dict, conflicts: list, error: str = "") -> FederationRun:
    run.finished_at = timezone.now()
    run.counts, run.conflicts, run.error = counts, conflicts, error
    run.status = FederationRun.Status.FAILED if error else FederationRun.Status.OK
    run.save()
    audit_record(actor=actor, action="create", obj=run, source="federation", after={
        "direction": run.direction, "url": run.url, "status": run.status, "sent": run.sent, "counts": counts,
        "since": run.since.isoformat() if run.since else None, "error": error})
    return run


def federation_push(*, actor=None, url: str, token: str, since: dt.datetime | None = None,
                    mapping: Mapping | None = None, data_sets=None, elements=None, org_unit=None,
                    batch_size: int = 5000, dry_run: bool = False) -> FederationRun:
    """Send the values changed after the last finished push to ``url`` (or after ``since``), deletions as
    ``deleted: true``, in batches; the receiver's counts are added up. A failure leaves the watermark where it
    was, so the next push sends the same values again (the receiver ignores those it already has)."""
    mapping = mapping or Mapping()
    last = _last_finished(FederationRun.Direction.PUSH, url)
    since = since or (last.watermark if last else None)
    run = FederationRun.objects.create(direction=FederationRun.Direction.PUSH, url=url, since=since)
    mark = DataValue.all_objects.aggregate(m=Max("last_updated"))["m"]
    counts, conflicts = dict.fromkeys(COUNT_KEYS, 0), []
    try:
        rows = exchange.export_values(
            actor, data_sets=data_sets, elements=elements, org_unit=org_unit, children=True, include_deleted=True,
            last_updated=since + dt.timedelta(microseconds=1) if since else None, last_updated_until=mark)
        params = {"idScheme": "CODE", "importStrategy": "CREATE_AND_UPDATE"}
        if dry_run:
            params["dryRun"] = "true"
        for start in range(0, len(rows), batch_size):
            batch = [_outgoing_row(mapping.outgoing(r)) for r in rows[start:start + batch_size]]
            _status, answer = _request(_api(url, "dataValueSets", params),
                                       token, body=json.dumps({"dataValues": batch}).encode())
            summary = answer.get("response", answer)
            if "importCount" not in summary:
                raise FederationError(f"{url}: {answer.get('message') or answer}")
            for key in COUNT_KEYS:
                counts[key] += int(summary["importCount"].get(key, 0))
            for c in summary.get("conflicts", []):
                conflicts.append({**c, "indexes": [start + i for i in c.get("indexes", [])]})
            run.sent = start + len(batch)
    except FederationError as exc:
        return _finish(run, actor=actor, counts=counts, conflicts=conflicts, error=str(exc))
    run.watermark = None if dry_run else (mark or since)
    return _finish(run, actor=actor, counts=counts, conflicts=conflicts)


def _outgoing_row(row: dict) -> dict:
    """What the receiver needs: identity, value, comment, followup, deleted (not our bookkeeping fields)."""
    out = {k: row[k] for k in ("dataElement", "period", "orgUnit", "value") if k in row}
    for key in ("comment", "followup", "storedBy"):
        if row.get(key) not in (None, ""):
            out[key] = row[key]
    if row.get("deleted"):
        out["deleted"] = True
    return out


def federation_pull(*, actor=None, url: str, token: str, since: dt.datetime | None = None,
                    mapping: Mapping | None = None, data_sets=None, org_unit=None,
                    dry_run: bool = False) -> FederationRun:
    """Take the values changed at ``url`` after the last finished pull (or ``since``), deletions included, and
    import them here as ``actor`` (None: the system)."""
    mapping = mapping or Mapping()
    last = _last_finished(FederationRun.Direction.PULL, url)
    since = since or (last.watermark if last else None)
    run = FederationRun.objects.create(direction=FederationRun.Direction.PULL, url=url, since=since)
    params: dict = {"includeDeleted": "true", "idScheme": "CODE"}
    if since:
        params["lastUpdated"] = since.isoformat()
    if data_sets:
        params["dataSet"] = list(data_sets)
    if org_unit:
        params["orgUnit"], params["children"] = org_unit, "true"
    try:
        _status, doc = _request(_api(url, "dataValueSets", params), token)
    except FederationError as exc:
        return _finish(run, actor=actor, counts=dict.fromkeys(COUNT_KEYS, 0), conflicts=[], error=str(exc))
    rows = [_outgoing_row(mapping.incoming(r)) for r in doc.get("dataValues", [])]
    run.sent = len(rows)
    summary = exchange.import_values(actor, json.dumps({"dataValues": rows}), fmt="json", dry_run=dry_run)
    newest = max((exchange._as_moment(r["lastUpdated"]) for r in doc.get("dataValues", []) if r.get("lastUpdated")),
                 default=None)
    run.watermark = None if dry_run else (newest or since)
    return _finish(run, actor=actor, counts=summary["importCount"], conflicts=summary["conflicts"])
