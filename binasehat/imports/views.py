import csv
import io

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _, gettext_lazy

from binasehat.core.importing import get_importer, importer_kinds
from binasehat.core.scope import get_in_scope_or_404, own_records, scope_of

from . import services
from .display import readable_conflicts
from .models import ImportJob


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Jenis data"))
    file = forms.FileField(label=gettext_lazy("Berkas (XLSX atau CSV)"))
    partial = forms.BooleanField(
        label=gettext_lazy("Simpan baris yang sah saja bila ada baris yang ditolak"), required=False,
    )

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, c.label) for k, c in kinds.items()]


def _kinds_for(user):
    scope = scope_of(user)
    return {k: c for k, c in importer_kinds().items() if scope.can(c.permission)}


def _jobs_for(user):
    return ImportJob.objects.filter(created_by=user).defer("preview_state")


@own_records
def index(request):
    kinds = _kinds_for(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, kinds=kinds,
                      initial={"kind": request.GET.get("jenis")})
    if request.method == "POST" and form.is_valid():
        try:
            job = services.job_create(actor=request.user, kind=form.cleaned_data["kind"],
                                      upload=form.cleaned_data["file"], partial=form.cleaned_data["partial"])
        except services.UploadRefused as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("imports:job", pk=job.pk)
    return render(request, "imports/index.html", {
        "form": form, "kinds": kinds, "jobs": _jobs_for(request.user)[:20],
        "who_imports": _who_imports() if not kinds else None,
    })


def _who_imports() -> list[tuple[str, list[str]]]:
    """For a role that may import nothing: each role that may, with the kinds of data it imports."""
    from binasehat.accounts.roles import PERMISSIONS, ROLE_CHOICES

    kinds = importer_kinds().values()
    out = []
    for role, name in ROLE_CHOICES:
        labels = [str(c.label) for c in kinds if c.permission in PERMISSIONS.get(role, ())]
        if labels and role != "admin":
            out.append((str(name), labels))
    return out


@own_records
def job(request, pk):
    job = get_in_scope_or_404(_jobs_for(request.user), pk=pk)
    template = "imports/_job.html" if request.htmx else "imports/job.html"
    importer = importer_kinds().get(job.kind)
    return render(request, template, {"job": job, "r": job.result, "importer": importer,
                                      "conflicts": readable_conflicts(importer, (job.result or {}).get("conflicts"))})


@own_records
def commit(request, pk):
    job = get_in_scope_or_404(_jobs_for(request.user), pk=pk)
    if request.method != "POST":
        return redirect("imports:job", pk=job.pk)
    try:
        services.job_commit(actor=request.user, job=job)
    except services.UploadRefused as exc:
        messages.error(request, str(exc))
    return redirect("imports:job", pk=job.pk)


@own_records
def template(request, kind, fmt):
    """An empty file with the right columns and one example row."""
    try:
        importer = get_importer(kind)
    except KeyError:
        raise Http404 from None
    if kind not in _kinds_for(request.user):
        raise Http404
    columns = importer.columns()
    if fmt == "csv":  # the system's column names, as exports and DHIS2 write them (Indonesian names are accepted)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns)
        writer.writeheader()
        for row in importer.example:
            writer.writerow({c: row.get(c, "") for c in columns})
        response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="templat-{kind}.csv"'
        return response
    if fmt != "xlsx":
        raise Http404
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet(kind[:31])
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7"})
    required = workbook.add_format({"bold": True, "bg_color": "#FCE4D6"})
    text = workbook.add_format({"num_format": "@"})
    # The header row in Indonesian, as a user writes it in Excel; each cell's note names the system column.
    for c, (name, label, others) in enumerate(importer.column_help()):
        sheet.write_string(0, c, label, required if name in importer.required else bold)
        sheet.write_comment(0, c, _("Kolom sistem: %(name)s") % {"name": name}
                            + ("\n" + _("Juga diterima: %(names)s") % {"names": ", ".join(others)} if others else ""))
        sheet.set_column(c, c, max(12, len(label) + 2), text)
    for r, row in enumerate(importer.example, start=1):
        for c, name in enumerate(columns):
            sheet.write_string(r, c, row.get(name, ""))
    notes = workbook.add_worksheet(_("petunjuk")[:31])
    notes.write(0, 0, str(importer.label), bold)
    notes.write(1, 0, str(importer.description))
    notes.write(2, 0, _("Kolom berwarna oranye wajib diisi. Kode wilayah ditulis sebagai teks bertitik, mis. 19.03.01.2008."))
    notes.write(3, 0, _("Nama kolom boleh ditulis dalam bahasa Indonesia atau sebagai kolom sistem; huruf besar/kecil, "
                        "spasi, titik dan garis bawah tidak berpengaruh. Tanggal boleh ditulis 31/12/2025."))
    for c, heading in enumerate((_("Kolom"), _("Kolom sistem"), _("Juga diterima"))):
        notes.write_string(5, c, heading, bold)
    for r, (name, label, others) in enumerate(importer.column_help(), start=6):
        notes.write_string(r, 0, label)
        notes.write_string(r, 1, name)
        notes.write_string(r, 2, ", ".join(others))
    notes.set_column(0, 2, 28)
    workbook.close()
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="templat-{kind}.xlsx"'
    return response
