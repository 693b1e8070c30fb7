"""DHIS2 2.40-compatible endpoints: ``dataValueSets`` (export JSON or CSV, import JSON or CSV, answered with
DHIS2's WebMessage), ``system/info`` and ``me`` — each also under DHIS2's versioned paths (``/api/40/…``) and
with a ``.json`` suffix, because DHIS2 clients (such as the ``dhis2.py`` package) call them that way.
``programs.dhis2`` does the work; these endpoints read the request and shape the answer."""

from __future__ import annotations


from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router
from ninja.errors import HttpError

from binasehat.programs import dhis2 as exchange

from ..schemas import Dhis2DataValueSet, Dhis2WebMessage, Error

router = Router(tags=["DHIS2"])

#: Versions of DHIS2's API answered under ``/api/<version>/``.
API_VERSIONS = range(28, 42)

EXPORT_DOC = """Seperti DHIS2 2.40. `dataSet`, `dataElement`, `period`, `orgUnit`, `orgUnitGroup`, `dataElementGroup` boleh
diulang; `period=2025` hanya periode itu (nilai tahunan); `startDate`/`endDate` semua periode di antaranya; `orgUnit`
kode wilayah (dengan `children=true`, semua di bawahnya) atau puskesmas; `lastUpdated` (tanggal/waktu) atau
`lastUpdatedDuration` (mis. `7d`, `2h`) untuk sinkronisasi bertahap; `includeDeleted=true` juga nilai yang
dihapus (`deleted: true`); `limit`. Identitas selalu kode (`idScheme=CODE`). Hanya nilai dalam cakupan Anda."""

IMPORT_DOC = """Seperti DHIS2 2.40. Isi menurut Content-Type: `application/json` (bawaan), `application/csv` / `text/csv`
(kolom menurut urutan, baris pertama dilewati kecuali `firstRowIsHeader=false`) atau `application/adx+xml` (ADX);
jenis lain dijawab 415.
Jawaban: WebMessage DHIS2 (`httpStatus`, `httpStatusCode`, `status`, `message`, `response` berisi ImportSummary
dengan `importCount`, `conflicts` ber-`errorCode`, `rejectedIndexes`). SUCCESS dijawab 200; WARNING dan ERROR 409.
`dryRun=true` hanya memeriksa; `importStrategy` CREATE_AND_UPDATE, CREATE, UPDATE atau DELETE."""


def _error(status: int, message: str) -> JsonResponse:
    """An error as DHIS2's WebMessage."""
    names = {401: "Unauthorized", 403: "Forbidden", 406: "Not Acceptable", 409: "Conflict",
             415: "Unsupported Media Type"}
    return JsonResponse({"httpStatus": names.get(status, "Error"), "httpStatusCode": status, "status": "ERROR",
                         "message": message}, status=status)


def _export(request, fmt: str) -> HttpResponse:
    """The export as JSON or CSV; a parameter naming nothing known is DHIS2's 409 Conflict WebMessage."""
    try:
        rows = exchange.export_values(request.user, **exchange.export_options(request.GET))
    except exchange.ParameterError as e:
        return _error(409, str(e))
    if fmt == "csv":
        response = HttpResponse(exchange.as_csv(rows), content_type="application/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="dataValueSets.csv"'
        return response
    if fmt == "adx":
        return HttpResponse(exchange.as_adx(rows), content_type="application/adx+xml; charset=utf-8")
    data_sets = request.GET.getlist("dataSet")
    doc = exchange.as_json(rows, dataSet=data_sets[0] if len(data_sets) == 1 else None)
    return JsonResponse(doc, json_dumps_params={"ensure_ascii": False})


def _json_export(request) -> HttpResponse:
    return _export(request, "json")


def _csv_export(request) -> HttpResponse:
    return _export(request, "csv")


def _negotiated(request, suffix: str = ""):
    """The export in the format asked by the suffix, ``format=`` or the Accept header; JSON by default."""
    wanted = (suffix or request.GET.get("format", "")).lower()
    if not wanted:
        accept = request.headers.get("Accept", "").lower()
        if "csv" in accept and "json" not in accept:
            wanted = "csv"
        elif "adx" in accept and "json" not in accept:
            wanted = "adx"
        elif any(t in accept for t in ("xml", "pdf")) and "json" not in accept and "*/*" not in accept:
            wanted = "xml"
    if wanted in ("", "json"):
        return _json_export(request)
    if wanted in ("csv", "adx"):
        return _export(request, wanted)
    return _error(406, _("Format %(f)s tidak dilayani: pakai JSON, CSV atau ADX (DXF2 XML dan PDF tidak dilayani "
                         "Bina Sehat).") % {"f": wanted})


@router.get("/dataValueSets", response={200: Dhis2DataValueSet, 401: Error, 406: Error, 409: Error},
            summary="Ekspor dataValueSets (JSON, atau CSV menurut Accept)", description=EXPORT_DOC)
def data_value_sets(request):
    return _negotiated(request)


@router.get("/dataValueSets.json", response={200: Dhis2DataValueSet, 401: Error, 409: Error},
            summary="Ekspor dataValueSets (JSON)", description=EXPORT_DOC)
def data_value_sets_json(request):
    return _json_export(request)


@router.get("/dataValueSets.csv", response={401: Error, 409: Error}, summary="Ekspor dataValueSets (CSV)",
            description=EXPORT_DOC,
            openapi_extra={"responses": {"200": {"description": "CSV data nilai DHIS2 dengan baris judul.",
                                                 "content": {"application/csv": {"schema": {"type": "string"}}}}}})
def data_value_sets_csv(request):
    return _csv_export(request)


@router.get("/{int:version}/dataValueSets", include_in_schema=False)
def data_value_sets_versioned(request, version: int):
    _check_version(version)
    return _negotiated(request)


@router.get("/{int:version}/dataValueSets.{fmt}", include_in_schema=False)
def data_value_sets_versioned_suffix(request, version: int, fmt: str):
    _check_version(version)
    return _negotiated(request, fmt)


def _check_version(version: int) -> None:
    if version not in API_VERSIONS:
        raise HttpError(404, _("Versi API %(v)s tidak dilayani.") % {"v": version})


def _import(request) -> HttpResponse:
    if not request.user.scope.can("programs.enter"):
        return _error(403, _("Peran Anda tidak boleh mengisi data program."))
    try:
        options = exchange.import_options(request.GET, request.content_type)
    except exchange.UnsupportedFormat as e:
        return _error(415, str(e))
    except exchange.ParameterError as e:
        return _error(409, str(e))
    summary = exchange.import_values(request.user, request.body, **options)
    status, message = exchange.web_message(summary)
    return JsonResponse(message, status=status, json_dumps_params={"ensure_ascii": False})


@router.post("/dataValueSets", response={200: Dhis2WebMessage, 401: Error, 403: Error, 409: Dhis2WebMessage,
                                        415: Error},
             summary="Impor dataValueSets (JSON atau CSV)", description=IMPORT_DOC,
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": {"$ref": "#/components/schemas/Dhis2DataValueSet"}},
                 "application/csv": {"schema": {"type": "string"}},
                 "text/csv": {"schema": {"type": "string"}},
                 "application/adx+xml": {"schema": {"type": "string"}}}}})
def data_value_sets_import(request):
    return _import(request)


@router.post("/{int:version}/dataValueSets", include_in_schema=False)
def data_value_sets_import_versioned(request, version: int):
    _check_version(version)
    return _import(request)


# --- system/info and me ----------------------------------------------------------------------------------------


def _system_info(request) -> dict:
    """The fields of DHIS2's ``/api/system/info`` a client reads to know what it talks to."""
    now = timezone.now()
    return {"contextPath": request.build_absolute_uri("/").rstrip("/"), "version": exchange.DHIS2_VERSION,
            "revision": "binasehat", "buildTime": "", "serverDate": now.isoformat(timespec="milliseconds"),
            "serverTimeZoneId": settings.TIME_ZONE, "calendar": "iso8601", "dateFormat": "yyyy-mm-dd",
            "systemName": "Bina Sehat", "instanceBaseUrl": request.build_absolute_uri("/").rstrip("/"),
            "isMetadataVersionEnabled": False, "systemId": "binasehat"}


def _me(request) -> dict:
    user, scope = request.user, request.scope
    return {"id": str(user.pk), "username": user.username, "name": user.get_full_name() or user.username,
            "displayName": user.get_full_name() or user.username, "email": user.email or "",
            "userRole": user.role, "settings": {"keyUiLocale": "id"},
            "organisationUnits": [{"code": c} for c in scope.top_codes()],
            "authorities": sorted(scope.permissions)}


@router.get("/system/info", response={200: dict, 401: Error}, summary="Informasi sistem (seperti DHIS2)")
def system_info(request):
    return _system_info(request)


@router.get("/me", response={200: dict, 401: Error}, summary="Pengguna yang masuk (seperti DHIS2)")
def me(request):
    return _me(request)


def system_info_suffix(request):
    return _system_info(request)


def me_suffix(request):
    return _me(request)


def system_info_versioned(request, version: int):
    _check_version(version)
    return _system_info(request)


def me_versioned(request, version: int):
    _check_version(version)
    return _me(request)


router.add_api_operation("/system/info.json", ["GET"], system_info_suffix, include_in_schema=False)
router.add_api_operation("/me.json", ["GET"], me_suffix, include_in_schema=False)
for _suffix in ("", ".json"):
    router.add_api_operation(f"/{{int:version}}/system/info{_suffix}", ["GET"], system_info_versioned,
                             include_in_schema=False)
    router.add_api_operation(f"/{{int:version}}/me{_suffix}", ["GET"], me_versioned, include_in_schema=False)
