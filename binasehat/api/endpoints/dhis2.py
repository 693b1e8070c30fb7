"""DHIS2-compatible ``dataValueSets``: export as JSON or CSV, import JSON or CSV (``programs.dhis2`` does the work;
these endpoints only read the request and shape the answer)."""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError

from ..schemas import Dhis2DataValueSet, Dhis2ExportFilters, Dhis2ImportSummary, Error

router = Router(tags=["DHIS2"])


def _export(request) -> list[dict]:
    from binasehat.programs.dhis2 import ParameterError, export_options, export_values

    try:
        return export_values(request.user, **export_options(request.GET))
    except ParameterError as e:
        raise HttpError(422, str(e)) from None


EXPORT_DOC = """`dataSet`, `dataElement`, `period`, `orgUnit` boleh diulang; `period` memuat nilai di dalamnya (2025:
bulan-bulannya dan nilai tahunan); `startDate`/`endDate`; `orgUnit` kode wilayah (dengan `children=true`, semua
di bawahnya) atau puskesmas. Identitas selalu kode (`idScheme=CODE`). Hanya nilai dalam cakupan Anda."""


@router.get("/dataValueSets.json", response={200: Dhis2DataValueSet, 401: Error, 422: Error},
            summary="Ekspor dataValueSets (JSON)", description=EXPORT_DOC)
def data_value_sets_json(request, filters: Query[Dhis2ExportFilters]):
    from binasehat.programs.dhis2 import as_json

    data_sets = filters.data_set or []
    return as_json(_export(request), dataSet=data_sets[0] if len(data_sets) == 1 else None)


@router.get("/dataValueSets.csv", response={401: Error, 422: Error}, summary="Ekspor dataValueSets (CSV)",
            description=EXPORT_DOC,
            openapi_extra={"responses": {"200": {"description": "CSV data nilai DHIS2 dengan baris judul.",
                                                 "content": {"text/csv": {"schema": {"type": "string"}}}}}})
def data_value_sets_csv(request, filters: Query[Dhis2ExportFilters]):
    from binasehat.programs.dhis2 import as_csv

    response = HttpResponse(as_csv(_export(request)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="dataValueSets.csv"'
    return response


@router.post("/dataValueSets", response={200: Dhis2ImportSummary, 401: Error, 403: Error, 409: Dhis2ImportSummary,
                                        422: Error},
             summary="Impor dataValueSets (JSON atau CSV)",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": {"$ref": "#/components/schemas/Dhis2DataValueSet"}},
                 "text/csv": {"schema": {"type": "string"}}}}})
def data_value_sets_import(request, dry_run: bool = Query(False, alias="dryRun"),
                           import_strategy: str = Query("CREATE_AND_UPDATE", alias="importStrategy")):
    """Isi menurut Content-Type: `application/json` (dokumen dataValueSets) atau `text/csv` (CSV DHIS2). Baris yang
    salah diabaikan dan dilaporkan di `conflicts`; `dryRun=true` hanya memeriksa. Status ERROR dijawab 409."""
    from binasehat.programs.dhis2 import ParameterError, import_options, import_values

    if not request.user.scope.can("programs.enter"):
        raise HttpError(403, _("Peran Anda tidak boleh mengisi data program."))
    try:
        options = import_options(request.GET, request.content_type)
    except ParameterError as e:
        raise HttpError(422, str(e)) from None
    summary = import_values(request.user, request.body, **options)
    return Status(409 if summary.get("status") == "ERROR" else 200, summary)
