"""What every list page does: search, paginate and export the same scoped queryset."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from binasehat.core.cells import SafeCsvWriter, xlsx_workbook


@dataclass(frozen=True)
class Column:
    key: str  # attribute path on the object, dotted ("desa.name") or a callable's name
    label: str
    value: Callable[[Any], Any] | None = None

    def of(self, obj) -> Any:
        if self.value is not None:
            return self.value(obj)
        current = obj
        for part in self.key.split("."):
            current = getattr(current, part, None) if current is not None else None
            if callable(current):
                current = current()
        return current


def search(queryset: QuerySet, text: str, fields: Sequence[str]) -> QuerySet:
    """Every word must match one of ``fields`` (case-insensitive)."""
    for word in (text or "").split()[:8]:
        q = Q()
        for f in fields:
            q |= Q(**{f"{f}__icontains": word})
        queryset = queryset.filter(q)
    return queryset


def paginate(request, queryset, per_page: int | None = None):
    paginator = Paginator(queryset, per_page or settings.PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


class _Echo:
    def write(self, value):
        return value


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    return value


def export_response(fmt: str, filename: str, columns: Sequence[Column], objects: Iterable[Any]):
    """Stream a CSV, or write an XLSX in constant memory, of ``objects`` under ``columns``."""
    header = [c.key.replace(".", "_") for c in columns]
    labels = [str(c.label) for c in columns]
    if fmt == "xlsx":
        tmp = tempfile.NamedTemporaryFile(suffix=".xlsx")
        workbook = xlsx_workbook(tmp.name, constant_memory=True, remove_timezone=True)
        sheet = workbook.add_worksheet("data")
        bold = workbook.add_format({"bold": True})
        date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
        sheet.write_row(0, 0, header, bold)
        sheet.write_comment(0, 0, " / ".join(labels)) if labels else None
        for r, obj in enumerate(objects, start=1):
            for c, col in enumerate(columns):
                value = _cell(col.of(obj))
                if hasattr(value, "isoformat") and not isinstance(value, str):
                    sheet.write_datetime(r, c, value, date_format) if hasattr(value, "year") else sheet.write_string(r, c, str(value))
                elif isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, str(value))
        sheet.autofilter(0, 0, 0, max(len(columns) - 1, 0))
        workbook.close()
        tmp.seek(0)
        return FileResponse(tmp, as_attachment=True, filename=f"{filename}.xlsx")

    writer = SafeCsvWriter(_Echo())

    def rows():
        yield "\ufeff" + writer.writerow(header)
        for obj in objects:
            yield writer.writerow([_cell(c.of(obj)) for c in columns])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def wants_export(request) -> str | None:
    fmt = request.GET.get("format")
    return fmt if fmt in {"csv", "xlsx"} else None


def pdf_response(request, template: str, context: dict, filename: str):
    """Render ``template`` to PDF with WeasyPrint (fonts from the system: DejaVu) as a download."""
    from django.http import HttpResponse
    from django.template.loader import render_to_string
    from weasyprint import HTML

    html = render_to_string(template, context, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
    return response


def xlsx_response(content: bytes, filename: str):
    from django.http import HttpResponse

    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def xlsx_report(*, filename: str, sheet: str, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]],
                number_format: str, note: str = "", widths: Sequence[tuple[int, int, int]] = ()):
    """A one-table report workbook: title, header, rows (None → blank cell, floats in ``number_format``), a note."""
    import io

    buffer = io.BytesIO()
    wb = xlsx_workbook(buffer, in_memory=True)
    ws = wb.add_worksheet(sheet[:31])
    bold = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#EEF4F2", "border": 1})
    number = wb.add_format({"num_format": number_format})
    date_cell = wb.add_format({"num_format": "dd/mm/yyyy"})
    datetime_cell = wb.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    ws.write_string(0, 0, str(title), wb.add_format({"bold": True}))
    ws.write_row(2, 0, [str(h) for h in header], bold)
    for first, last, width in widths:
        ws.set_column(first, last, width)
    r = 3
    for values in rows:
        for c, v in enumerate(values):
            if v is None:
                ws.write_blank(r, c, None)
            elif isinstance(v, float):
                ws.write_number(r, c, v, number)
            elif isinstance(v, (int, Decimal)) and not isinstance(v, bool):
                ws.write_number(r, c, v)
            elif isinstance(v, (dt.date, dt.datetime)):  # a date cell (Excel shows it as a date, sorts as one)
                if isinstance(v, dt.datetime):
                    v = timezone.localtime(v).replace(tzinfo=None) if timezone.is_aware(v) else v
                ws.write_datetime(r, c, v, datetime_cell if isinstance(v, dt.datetime) else date_cell)
            else:
                ws.write_string(r, c, str(v))
        r += 1
    if note:
        ws.write_string(r + 1, 0, str(note))
    wb.close()
    return xlsx_response(buffer.getvalue(), filename)
