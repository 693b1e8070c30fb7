"""The risk page draws its map with the shared partial (``reports/_map.html``), like the dashboard: desa
coloured by score in classes of the scores themselves (red: highest risk), names where they fit, a tap panel
text per desa, the table of values for readers without the map, and no posyandu legend (it shows no points)."""

import html as html_lib
import re

from django.urls import reverse

from binasehat.reports.maps import NO_DATA, RAMP, classes
from binasehat.risk.scoring import district_scores
from binasehat.risk.templatetags.risk import score


def test_risk_map_uses_the_shared_partial(demo, client_for):
    page = client_for("dinkes").get(reverse("risk:list"), {"wilayah": "19.03", "tahun": 2025}).content.decode()
    scored = {c: r for c, r in district_scores("19.03", 2025).items()}
    section = re.search(r'<section class="card" id="peta">.*?</section>', page, re.S).group(0)
    assert section.count('<path class="map-shape"') == len(scored) == 53
    assert section.count("<tr data-area=") == 53  # the table under the map (no JavaScript needed)
    assert 'data-map-detail' in section and 'class="map-label' in section
    assert "posyandu aktif" not in section and "titik posyandu" not in section
    # Each desa's tap text: its score and rank among the 53 (ranks as the ranking table gives them).
    for code, r in scored.items():
        detail = re.search(rf'<path class="map-shape" id="map-{re.escape(code)}"[^>]*data-detail="([^"]*)"',
                           section).group(1)
        assert html_lib.unescape(detail) == f"Skor wilayah berisiko: skor {score(r.score)}, peringkat {r.rank} dari 53"
        row = re.search(rf'<tr data-area="{re.escape(code)}"><td>([^<]*)</td><td>([^<]*)</td>', section)
        assert html_lib.unescape(row.group(1)) == r.name
    # Legend: classes of the scores themselves, highest score red ("down": a high score is bad).
    codes = re.findall(r'<path class="map-shape" id="map-([^"]+)"', section)
    colours, legend = classes([scored[c].score for c in codes], "down")
    drawn = re.findall(r'<path class="map-shape" id="map-[^"]+" d="[^"]*" fill="([^"]+)"', section)
    assert drawn == colours and NO_DATA not in drawn
    worst = max(scored.values(), key=lambda r: r.score)
    assert colours[codes.index(worst.code)] == RAMP[0]  # red
    caption = re.search(r"<figcaption.*?</figcaption>", section, re.S).group(0)
    labels = [html_lib.unescape(m) for m in re.findall(r'<i style="background:#[0-9a-f]+"></i>([^<]*)</span>', caption)]
    expected = [score(c.lo) if score(c.lo) == score(c.hi) else f"{score(c.lo)}–{score(c.hi)}" for c in legend]
    assert labels[:len(expected)] == expected and len(expected) >= 2
    assert "Skor wilayah berisiko 2025" in html_lib.unescape(caption)

