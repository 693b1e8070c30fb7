"""The field pages install as an app: Chromium reads the web app manifest without errors, its icons load and
decode at their declared type and size, and nothing stops installing but the test browser's private profile."""

import json
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_chromium_sees_a_valid_manifest_with_icons(demo, new_page, login):
    page = new_page(phone=True)
    login(page, "kader")
    assert "/lapangan/" in page.url
    expect(page.locator("link[rel=manifest]")).to_have_attribute("href", "/lapangan/manifest.webmanifest")
    cdp = page.context.new_cdp_session(page)
    found = cdp.send("Page.getAppManifest")
    assert found["url"].endswith("/lapangan/manifest.webmanifest")
    assert found["errors"] == [], found["errors"]
    manifest = json.loads(found["data"])
    assert manifest["start_url"] == "/lapangan/" and manifest["scope"] == "/lapangan/"
    assert manifest["display"] == "standalone" and manifest["lang"] == "id"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    assert manifest["name"] and len(manifest["short_name"]) <= 12
    # Chromium's own reading of it (the parsed manifest, with URLs resolved).
    parsed = found.get("manifest")
    if parsed:  # newer Chromium returns its parsed form as well ("kStandalone")
        assert parsed["display"].lower().endswith("standalone") and len(parsed["icons"]) == 2

    response = page.request.get("/lapangan/manifest.webmanifest")  # as a browser fetches it: JSON, public
    assert response.ok and response.headers["content-type"].startswith("application/manifest+json")
    assert {i["purpose"] for i in manifest["icons"]} == {"any", "maskable"}
    for icon in manifest["icons"]:
        assert icon["type"] == "image/svg+xml" and icon["sizes"] == "any"
        got = page.request.get(icon["src"])
        assert got.ok and got.headers["content-type"].startswith("image/svg+xml"), icon
        svg = got.text()
        assert 'viewBox="0 0 512 512"' in svg and 'width="512"' in svg and 'height="512"' in svg
        # Chromium decodes it, square, and draws it at the 192 and 512 px a launcher asks for.
        size = page.evaluate("""async (src) => {
            const img = new Image(); img.src = src; await img.decode();
            const out = [img.naturalWidth, img.naturalHeight];
            for (const px of [192, 512]) {
              const c = document.createElement("canvas"); c.width = c.height = px;
              const g = c.getContext("2d"); g.drawImage(img, 0, 0, px, px);
              const [r, gr, b, a] = g.getImageData(px / 2, Math.round(px * 0.3), 1, 1).data;  // the white cross
              out.push([r, gr, b, a]);
            }
            return out;
        }""", icon["src"])
        assert size[:2] == [512, 512]
        assert size[2] == [255, 255, 255, 255] and size[3] == [255, 255, 255, 255]

    # Installable: a service worker controls the page; Chromium reports no installability error other than the
    # private (incognito-like) profile Playwright runs every context in.
    expect(page.locator("#field")).to_be_attached()
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == [], errors


def test_manifest_needs_no_login(client, db):
    response = client.get("/lapangan/manifest.webmanifest")
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["lang"] == "id" and data["display"] == "standalone" and data["icons"]
