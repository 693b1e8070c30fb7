"""Property: whatever a row holds — values inside each column's limits or just outside them (the largest
integer PostgreSQL stores and one more, 999.9 and 1000 for a 4-digit/1-decimal column, 150 and 151 characters
for a 150-character name, impossible dates, NUL) — an import never raises, and either writes every accepted
row, each readable back, or writes nothing at all."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.apps import apps
from django.db import transaction
from hypothesis import HealthCheck, given, settings, strategies as st

from binasehat.core.importing import get_importer, run_import
from binasehat.core.models import AuditEntry, AuditItem
from binasehat.core.tabular import MemoryTable

EXAMPLES = int(os.environ.get("HYPOTHESIS_IMPORT_EXAMPLES", "25"))

INT_EDGES = ["0", "1", "-1", "32767", "32768", "2147483647", "2147483648", "3e9", "1.5", "1e400", "NaN",
             "Infinity", "", "x", " 7 "]
DEC_EDGES = ["0", "0.1", "0.05", "9.999999", "99.9", "999.9", "999.95", "1000", "123456.7", "-0.1", "1e-7",
             "3e9", "5,5", "NaN", "-3.0105", "106.4581", ""]
DATE_EDGES = ["2024-02-29", "2023-02-29", "9999-12-31", "0001-01-01", "31/12/2024", "2024-13-01", "",
              "2025-07-01 10:00:00", "45000", "2019-01"]
BOOL_EDGES = ["ya", "tidak", "1", "0", "mungkin", ""]
TEXT_EDGES = ["", "a", "a" * 10, "a" * 11, "a" * 16, "a" * 17, "a" * 30, "a" * 31, "a" * 150, "a" * 151,
              "a" * 255, "a" * 256, "x\x00y", "=1+1", "ü" * 151, "1903014101850003", "19.03.01.2008"]

DECIMALS = {"kader_on_duty", "latitude", "longitude", "weight_kg", "lenhei_cm", "headc_cm", "muac_cm"}
BOOLS = {"active", "alat_pantau", "kegiatan_tambahan", "rawat_inap", "posyandu_prima", "oedema", "pregnant",
         "breastfeeding"}


def edges(column: str) -> list[str]:
    if column in DECIMALS:
        return DEC_EDGES
    if column in BOOLS:
        return BOOL_EDGES
    if column.endswith(("_date", "_on", "_since")) or column == "month":
        return DATE_EDGES
    from binasehat.posyandu import rules

    if column in rules.COUNT_FIELDS or column == "opening_days":
        return INT_EDGES
    return TEXT_EDGES


def base_rows(kind: str, n: int) -> list[dict]:
    """Valid rows for the demo district (checked by ``test_base_rows_are_valid``)."""
    from binasehat.facilities.models import Posyandu, Puskesmas
    from binasehat.families.models import Family
    from binasehat.growth.models import Child

    posyandu = Posyandu.objects.filter(desa_id="19.03.01.2008").order_by("code").first()
    puskesmas = Puskesmas.objects.filter(kecamatan_id="19.03.01").order_by("code").first()
    rows = []
    for i in range(n):
        if kind == "posyandu":
            row = {"code": f"HP-{i}", "name": f"Posyandu Uji {i}", "desa_code": "19.03.01.2008", "dusun": "Dusun I",
                   "rw": "01", "address": "Jl. Uji", "latitude": "-3.0105", "longitude": "106.4581",
                   "founded_on": "2005-04-12", "sk_number": "1/SK", "sk_date": "2023-01-05", "active": "ya",
                   "closed_on": ""}
        elif kind == "pustu":
            row = {"code": f"HPS-{i}", "name": f"Pustu Uji {i}", "desa_code": "19.03.01.2008",
                   "puskesmas_code": puskesmas.code, "posyandu_prima": "ya", "prima_since": "2024-07-01",
                   "address": "", "latitude": "", "longitude": "", "active": "ya"}
        elif kind == "puskesmas":
            row = {"code": f"HPK-{i}", "name": f"Puskesmas Uji {i}", "kecamatan_code": "19.03.01", "desa_codes": "",
                   "rawat_inap": "tidak", "phone": "0717", "address": "", "latitude": "", "longitude": "",
                   "active": "ya"}
        elif kind == "kader":
            row = {"nik": f"19030141018590{i:02d}", "name": f"Kader Uji {i}", "sex": "P",
                   "posyandu_code": posyandu.code, "sk_number": "5/SK", "sk_date": "2024-01-15", "active": "ya",
                   "birth_date": "1985-01-01", "phone": "0812"}
        elif kind == "posyandu-months":
            row = {"posyandu_code": posyandu.code, "month": f"{2019 - i // 12}-{i % 12 + 1:02d}", "opening_days": "1",
                   "kader_on_duty": "5", "s": "40", "k": "38", "d": "32", "n": "25", "ibu_hamil_sasaran": "6",
                   "ibu_hamil_dilayani": "4", "kb_sasaran": "30", "kb_dilayani": "18", "imunisasi_sasaran": "8",
                   "imunisasi_dilayani": "6", "kk_total": "120", "kk_dana_sehat": "40", "alat_pantau": "ya",
                   "kegiatan_tambahan": "ya", "o": "2", "b": "1", "kegiatan_tambahan_uraian": "Kelas ibu"}
        elif kind == "children":
            row = {"nik": f"19030155052390{i:02d}", "name": f"Anak Uji {i}", "sex": "P", "birth_date": "2023-05-15",
                   "mother_name": f"Ibu Uji {i}", "desa_code": "19.03.01.2008", "posyandu_code": posyandu.code}
        elif kind == "measurements":
            child = Child.objects.filter(desa__code__startswith="19.03.").exclude(nik="").order_by("pk")[i]
            row = {"child_nik": child.nik, "visit_date": str(child.birth_date + dt.timedelta(days=3)),
                   "weight_kg": "4.1", "lenhei_cm": "52.5", "measure": "l", "oedema": "tidak", "headc_cm": "36.0",
                   "muac_cm": "11.5", "place": "posyandu", "posyandu_code": ""}
        elif kind == "families":
            row = {"no_kk": f"19030101012{i:05d}", "head_name": f"Kepala Uji {i}", "desa_code": "19.03.01.2008",
                   "address": "Jl. Uji", "rt": "2", "rw": "1", "puskesmas_code": ""}
        elif kind == "members":
            family = Family.objects.filter(desa__code__startswith="19.03.").order_by("pk")[i]
            from binasehat.families import rules

            row = {"no_kk": family.no_kk, "nik": f"19030112038590{i:02d}", "name": f"Anggota Uji {i}", "sex": "L",
                   "birth_date": "1985-03-12", "relation": "lain", "visit_date": "2025-07-14", "surveyor": "Nur",
                   "pregnant": "", "breastfeeding": "", **{c: "" for c in rules.COLUMNS}}
        else:
            raise KeyError(kind)
        rows.append(row)
    return rows


KINDS = ["posyandu", "pustu", "puskesmas", "kader", "posyandu-months", "children", "measurements", "families",
         "members"]


def _models_of(entries) -> dict[str, list[str]]:
    by_model: dict[str, list[str]] = {}
    for label, pk in entries:
        by_model.setdefault(label, []).append(pk)
    return by_model


def check_import(kind: str, rows: list[dict], user, partial: bool = False) -> None:
    """Run the import for real inside a savepoint; check the property; roll back."""
    importer_class = get_importer(kind)
    with transaction.atomic():
        last_audit = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        result = run_import(importer_class(actor=user, scope=user.scope), [MemoryTable("uji.csv", rows)],
                            partial=partial)
        # One entry per record, or (bulk imports) one entry per import with one item per record.
        new = list(AuditEntry.objects.filter(pk__gt=last_audit).exclude(action="import")
                   .values_list("model", "object_pk"))
        new += list(AuditItem.objects.filter(entry__pk__gt=last_audit).values_list("entry__model", "object_pk"))
        if result.committed:
            assert len(new) >= result.planned["create"] + result.planned["update"] - 0, (result.as_json(), new)
            for label, pks in _models_of(new).items():  # every written record reads back
                model = apps.get_model(label)
                assert len(list(model.objects.filter(pk__in=pks))) == len(set(pks))
        else:
            assert new == [] and not AuditEntry.objects.filter(pk__gt=last_audit).exists(), (result.as_json(), new)
        transaction.set_rollback(True)


@pytest.fixture
def dinkes(demo):
    from binasehat.accounts.models import User

    return User.objects.get(username="dinkes")


@pytest.mark.parametrize("kind", KINDS)
def test_base_rows_are_valid(kind, dinkes):
    rows = base_rows(kind, 3)
    result = run_import(get_importer(kind)(actor=dinkes, scope=dinkes.scope), [MemoryTable("uji.csv", rows)],
                        dry_run=True)
    assert result.planned["reject"] == 0 and result.planned["create"] == 3, result.rejections


def _row_strategy(template: dict) -> st.SearchStrategy:
    """The valid row with up to two columns replaced by an edge value or random text."""
    columns = list(template)
    return st.lists(st.sampled_from(columns), max_size=2, unique=True).flatmap(
        lambda chosen: st.fixed_dictionaries(
            {c: st.one_of(st.sampled_from(edges(c)), st.text(max_size=20)) for c in chosen}
        ).map(lambda changed: {**template, **changed}))


@pytest.mark.parametrize("kind", KINDS)
def test_finding_2_importers_never_raise_and_never_write_part_of_a_file(kind, dinkes):
    templates = base_rows(kind, 3)

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.data_too_large])
    @given(st.tuples(*[_row_strategy(t) for t in templates]).flatmap(
        lambda rows: st.integers(1, len(rows)).map(lambda n: list(rows[:n]))), st.booleans())
    def check(rows, partial):
        check_import(kind, rows, dinkes, partial)

    check()


@pytest.mark.parametrize("kind", KINDS)
def test_finding_2_each_column_within_and_just_outside_its_limits(kind, dinkes):
    """Every edge value of every column, one row each (the other columns valid), committed with --partial: the
    rows that pass are written and read back, the others are refused with a reason; nothing raises."""
    template = base_rows(kind, 1)[0]
    for column in template:
        values = edges(column)
        rows = base_rows(kind, len(values))
        for row, value in zip(rows, values):
            row[column] = value
        check_import(kind, rows, dinkes, partial=True)
