"""Indonesian first: the browser's Accept-Language does not switch the language; the language menu does."""


def test_english_browser_still_gets_indonesian(client_for, demo):
    client = client_for("dinkes")
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Beranda" in page and 'lang="id"' in page


def test_language_menu_switches_to_english_and_back(client_for, demo):
    client = client_for("dinkes")
    client.post("/bahasa/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert 'lang="en"' in page and "Log out" in page
    client.post("/bahasa/", {"language": "id", "next": "/"})
    assert "Keluar" in client.get("/").content.decode()
