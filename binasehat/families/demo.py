"""Demo PIS-PK data: surveyed families in every desa of the demo district, two survey years, through the same
importers users have (``import_data families`` / ``members``). Desa differ plausibly: each has its own propensity
per indicator (a coastal desa with poor sanitation, one with low JKN membership, …)."""

from __future__ import annotations

import datetime as dt
import random

from binasehat.core.importing import get_importer, run_import
from binasehat.core.tabular import MemoryTable
from binasehat.regions.models import Region

from . import rules

DISTRICT = "19.03"
YEARS = (2024, 2025)
#: The seed's risk kelurahan, Teladan (Kecamatan Toboali), and its 2025 survey: families with a member on TB
#: treatment to standard (Y) or not (T), and with a member with severe mental illness treated (Y) or not (T).
#: Coverage = families Y ÷ families (Y + T) (RULES.md §1.4): TB 10 / 33 = 30,3 %, ODGJ 18 / 31 = 58,1 %.
RISK_KELURAHAN = "19.03.01.1002"
RISK_FAMILIES = 110
RISK_TB = (10, 23)
RISK_ODGJ = (18, 13)
MEN = ["Ahmad", "Budi", "Dedi", "Eko", "Fajar", "Hendra", "Iwan", "Joko", "Rudi", "Slamet", "Yusuf", "Agus",
       "Bambang", "Darmawan", "Hasan", "Irfan", "Rahmat", "Sutrisno", "Taufik", "Wahyu"]
WOMEN = ["Siti", "Nur", "Sri", "Dewi", "Rina", "Yuni", "Wati", "Lestari", "Ani", "Eka", "Fitri", "Indah", "Maya",
         "Ratna", "Sari", "Tuti", "Umi", "Wulan", "Yanti", "Lina"]
SURNAMES = ["Saputra", "Hidayat", "Pratama", "Kurniawan", "Santoso", "Wijaya", "Setiawan", "Nugroho", "Rahman",
            "Syahputra", "Gunawan", "Siregar", "Sinaga", "Fauzi", "Halim"]


def _given_for(first: str, sex: str) -> str:
    """A given name that matches the sex: a name drawn from both lists is swapped for its counterpart in the
    other list (same position), so the random stream, and every other figure of the demo, stays as it was."""
    if sex == "L" and first in WOMEN:
        return MEN[WOMEN.index(first) % len(MEN)]
    if sex == "P" and first in MEN:
        return WOMEN[MEN.index(first) % len(WOMEN)]
    return first


def _run(kind: str, rows: list[dict]):
    result = run_import(get_importer(kind)(source="demo"), [MemoryTable(f"demo-{kind}", rows)])
    if result.error or result.rejected:
        raise RuntimeError(f"demo {kind}: {result.error or result.rejections[:3]}")
    return result


def _months(birth: dt.date, on: dt.date) -> int:
    return rules.age_months(birth, on)


def build_families(rng: random.Random, families_per_desa: tuple[int, int] = (14, 26)) -> dict:
    """Generate and import the demo families, members and two years of survey answers; returns counts."""
    desa = list(Region.objects.filter(level=4, code__startswith=DISTRICT + ".").order_by("code")
                .values_list("code", flat=True))
    if not desa:
        raise RuntimeError("the demo district's regions must be imported first")
    family_rows, member_rows = [], []
    kk_serial: dict[str, int] = {}
    niks: set[str] = set()

    def nik_for(desa_code: str, birth: dt.date, sex: str) -> str:
        kec = desa_code.replace(".", "")[:6]
        day = birth.day + (40 if sex == "P" else 0)
        while True:
            nik = f"{kec}{day:02d}{birth.month:02d}{birth.year % 100:02d}{rng.randint(1, 9999):04d}"
            if nik not in niks:
                niks.add(nik)
                return nik

    def birth_at(age_days: int, on: dt.date) -> dt.date:
        return on - dt.timedelta(days=age_days)

    for d in desa:
        # The desa's own tendencies: probability that an applicable answer is T, per indicator.
        p_t = {1: rng.uniform(.15, .45), 2: rng.uniform(.02, .25), 3: rng.uniform(.05, .4), 4: rng.uniform(.2, .6),
               5: rng.uniform(.05, .35), 6: rng.uniform(.2, .8), 7: rng.uniform(.4, .85), 8: rng.uniform(.2, .7),
               10: rng.uniform(.05, .5), 11: rng.uniform(.0, .3), 12: rng.uniform(.05, .5)}
        smoking = rng.uniform(.35, .7)
        kec = d.replace(".", "")[:6]
        n_rw = rng.randint(2, 5)
        risk_desa = d == RISK_KELURAHAN
        for _f in range(RISK_FAMILIES if risk_desa else rng.randint(*families_per_desa)):
            forced = {}  # Teladan 2025: the designed answers of the head for indicators 6 and 8
            if risk_desa:
                tb_y, tb_t = RISK_TB
                odgj_y, odgj_t = RISK_ODGJ
                if _f < tb_y + tb_t:
                    forced[6] = "Y" if _f < tb_y else "T"
                start = 40
                if start <= _f < start + odgj_y + odgj_t:
                    forced[8] = "Y" if _f < start + odgj_y else "T"
            kk_serial[kec] = kk_serial.get(kec, 0) + 1
            no_kk = f"{kec}0101{rng.choice([15, 17, 19, 21, 23]):02d}{kk_serial[kec]:04d}"
            ref = dt.date(YEARS[0], 7, 1)
            head_age = rng.randint(24, 68)
            surname = rng.choice(SURNAMES)
            head = {"name": f"{rng.choice(MEN)} {surname}", "sex": "L", "relation": "kepala",
                    "birth": birth_at(head_age * 365 + rng.randint(0, 364), ref)}
            members = [head]
            if rng.random() < .88:
                wife_age = max(19, head_age - rng.randint(0, 8))
                members.append({"name": f"{rng.choice(WOMEN)}", "sex": "P", "relation": "pasangan",
                                 "birth": birth_at(wife_age * 365 + rng.randint(0, 364), ref)})
                for _c in range(rng.choice([0, 1, 1, 2, 2, 3]) if wife_age < 46 else rng.choice([0, 1])):
                    age_days = rng.randint(-300, min(wife_age - 18, 20) * 365)  # some born between the surveys
                    first, sex = rng.choice(MEN + WOMEN), rng.choice("LP")
                    members.append({"name": f"{_given_for(first, sex)} {surname}", "sex": sex,
                                    "relation": "anak", "birth": birth_at(age_days, ref)})
            else:
                head["sex"] = rng.choice("LP")
                if head["sex"] == "P":
                    head["name"] = f"{rng.choice(WOMEN)} {surname}"
            if rng.random() < .15:
                first, sex = rng.choice(MEN + WOMEN), rng.choice("LP")
                members.append({"name": f"{_given_for(first, sex)} {surname}", "sex": sex,
                                "relation": "orang_tua", "birth": birth_at(rng.randint(62, 85) * 365, ref)})
            for m in members:
                m["nik"] = "" if (ref - m["birth"]).days < 400 and rng.random() < .5 else None
            rw = f"{rng.randint(1, n_rw):03d}"
            family_rows.append({"no_kk": no_kk, "head_name": head["name"], "desa_code": d,
                                "address": f"Jl. {rng.choice(['Mawar', 'Melati', 'Kenanga', 'Pantai', 'Raya', 'Masjid'])} "
                                           f"{rng.randint(1, 90)}", "rt": f"{rng.randint(1, 6):03d}", "rw": rw})
            jkn_family = rng.random() > p_t[10]
            sick = {m["name"]: {i: rng.random() < p for i, p in ((6, .04), (7, .18), (8, .02))} for m in members}
            smokers = {m["name"] for m in members if m["sex"] == "L" and (ref - m["birth"]).days > 15 * 365
                       and rng.random() < smoking}
            incomplete_year = rng.choice(YEARS) if rng.random() < .04 else None
            if risk_desa:  # every Teladan family designed: only the designed ones are ill; 2025 complete
                sick = {m["name"]: {6: False, 7: sick[m["name"]][7], 8: False} for m in members}
                if incomplete_year == 2025:
                    incomplete_year = None
            for year in YEARS:
                visit = dt.date(year, rng.randint(2, 10), rng.randint(1, 28))
                present = [m for m in members if m["birth"] <= visit]
                baby = any(_months(m["birth"], visit) <= 11 for m in present if m["relation"] == "anak")
                for k, m in enumerate(present):
                    if m["nik"] is None:
                        m["nik"] = nik_for(d, m["birth"], m["sex"])
                    months, years = _months(m["birth"], visit), _months(m["birth"], visit) // 12
                    a = {c: "N" for c in rules.COLUMNS}

                    def yt(i):
                        return "T" if rng.random() < p_t[i] else "Y"

                    if m["relation"] in ("kepala", "pasangan") and 15 <= years <= 49 and len(members) > 1 \
                            and any(x["relation"] == "pasangan" for x in members):
                        a["i01"] = yt(1)
                    if m["relation"] == "pasangan" and baby:
                        a["i02"] = yt(2)
                    if 12 <= months <= 23:
                        a["i03"] = yt(3)
                    if 7 <= months <= 23:
                        a["i04"] = yt(4)
                    if 2 <= months <= 59:
                        a["i05"] = yt(5)
                    if years >= 15:
                        for i in (6, 7):
                            if sick[m["name"]][i]:
                                a[f"i{i:02d}"] = yt(i)
                    if years >= 15 and sick[m["name"]][8]:
                        a["i08"] = yt(8)
                    if m is head:
                        for i, answer in forced.items():
                            a[f"i{i:02d}"] = answer if year == 2025 else yt(i)
                    a["i09"] = "T" if m["name"] in smokers else "Y"
                    a["i10"] = "Y" if jkn_family or rng.random() < .5 else "T"
                    a["i11"] = a["i12"] = ""
                    if k == 0:
                        a["i11"], a["i12"] = yt(11), yt(12)
                    if incomplete_year == year and k == len(present) - 1:
                        a[rng.choice(rules.COLUMNS[:10])] = ""
                    member_rows.append({
                        "no_kk": no_kk, "nik": m["nik"], "name": m["name"], "sex": m["sex"],
                        "birth_date": m["birth"].isoformat(), "relation": m["relation"],
                        "visit_date": visit.isoformat(), "surveyor": f"Petugas {d[-4:]}",
                        "pregnant": "", "breastfeeding": "ya" if m["relation"] == "pasangan" and baby else "", **a,
                    })
    _run("families", family_rows)
    _run("members", member_rows)
    return {"families": len(family_rows), "member_rows": len(member_rows)}
