"""The English catalog: every message translated, placeholders intact, and the site switches language.

The catalog is compiled here from the .po with Babel into a temporary LOCALE_PATHS, so these tests check the .po
as it is now, whether or not ``make install`` (``pybabel compile``) has run since it last changed.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings as django_settings
from django.core.management import call_command

PROJECT_DIR = Path(__file__).resolve().parent.parent
PO_PATH = PROJECT_DIR / "binasehat" / "locale" / "en" / "LC_MESSAGES" / "django.po"

# %(name)s, %(code)r, %(n)d, %(x).1f ... and positional %s / %d; "%%" is a literal percent sign.
PLACEHOLDER = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0\- +]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa%]")


def placeholders(text: str) -> list[str]:
    """The python-format placeholders of a message, sorted (named ones with their conversion, e.g. '%(code)r')."""
    return sorted(m.group(0) for m in PLACEHOLDER.finditer(text or "") if m.group(0) != "%%")


def read_catalog():
    with PO_PATH.open("rb") as f:
        return read_po(f, locale="en", domain="django")


def describe(message) -> str:
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    where = ", ".join(f"{path}:{line}" for path, line in message.locations[:2])
    return f"{msgid!r} ({where})"


@pytest.fixture(scope="session")
def compiled_locale(tmp_path_factory) -> Path:
    """The English .po compiled with Babel (as ``make compile-translations`` does) into a temporary locale dir."""
    locale_dir = tmp_path_factory.mktemp("locale")
    mo_path = locale_dir / "en" / "LC_MESSAGES" / "django.mo"
    mo_path.parent.mkdir(parents=True)
    with mo_path.open("wb") as f:
        write_mo(f, read_catalog(), use_fuzzy=False)
    return locale_dir


@pytest.fixture
def english_catalog(settings, compiled_locale):
    # Changing LOCALE_PATHS makes Django drop its cached translations (django.test.signals).
    settings.LOCALE_PATHS = [str(compiled_locale)]
    yield compiled_locale


# --- (a) the .po itself ----------------------------------------------------------------------------------------------


def test_catalog_header_is_english_with_two_plural_forms():
    catalog = read_catalog()
    assert str(catalog.locale) == "en"
    assert catalog.num_plurals == 2
    assert catalog.plural_expr.replace(" ", "") in {"(n!=1)", "n!=1"}
    assert not catalog.fuzzy, "the header is marked fuzzy: Babel would skip the whole catalog"


def test_every_message_is_translated_and_not_fuzzy():
    catalog = read_catalog()
    messages = [m for m in catalog if m.id]
    assert len(messages) > 100, "the catalog looks truncated"
    fuzzy = [describe(m) for m in messages if m.fuzzy]
    untranslated = [
        describe(m)
        for m in messages
        if (not all(s.strip() for s in m.string) if isinstance(m.string, tuple) else not (m.string or "").strip())
    ]
    assert not (fuzzy or untranslated), (
        "fuzzy entries (Babel skips them, so these show in Indonesian):\n" + "\n".join(fuzzy)
        + "\nentries without an English translation:\n" + "\n".join(untranslated)
    )


def test_plural_messages_have_both_forms():
    catalog = read_catalog()
    for message in catalog:
        if message.id and message.pluralizable:
            assert isinstance(message.string, tuple) and len(message.string) == 2, describe(message)


def test_translations_keep_every_placeholder():
    catalog = read_catalog()
    problems = []
    for message in catalog:
        if not message.id:
            continue
        if message.pluralizable:
            expected = placeholders(message.id[0])
            expected_plural = placeholders(message.id[1])
            # Either form may be the one that carries the count: each translation must keep the placeholders of
            # the singular and plural msgid (the same set in both, as Django's blocktranslate writes them).
            wanted = sorted(set(expected) | set(expected_plural))
            for n, form in enumerate(message.string):
                if sorted(set(placeholders(form))) != wanted or len(placeholders(form)) != len(expected_plural):
                    problems.append(f"{describe(message)} form {n}: {placeholders(form)} != {wanted}")
        else:
            got = placeholders(message.string)
            want = placeholders(message.id)
            if got != want:
                problems.append(f"{describe(message)}: {got} != {want}")
    assert not problems, "placeholders differ between msgid and msgstr:\n" + "\n".join(problems)


def test_template_variables_were_not_left_in_django_syntax():
    """blocktranslate turns {{ var }} into %(var)s: a translation must not bring back {{ var }} instead."""
    catalog = read_catalog()
    bad = []
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        if any("{{" in (s or "") for s in strings) and not any("{{" in i for i in ids):
            bad.append(describe(message))
    assert not bad, "\n".join(bad)


@pytest.mark.skipif(not shutil.which("xgettext"), reason="GNU gettext (xgettext) is not installed")
def test_catalog_has_every_message_of_the_source(tmp_path, settings, monkeypatch):
    """Strings added to the code after the last makemessages would silently stay Indonesian in English."""
    settings.LOCALE_PATHS = [str(tmp_path)]
    (tmp_path / "en").mkdir()
    monkeypatch.chdir(PROJECT_DIR)
    call_command(
        "makemessages", locale=["en"], no_obsolete=True, verbosity=0,
        # The same patterns as the documented command, plus our own locale dir so that the fresh extraction goes to
        # tmp_path instead of being merged into the real catalog.
        ignore_patterns=[".venv", "tests", "bench", "binasehat/locale", "node_modules", "var", "staticfiles"],
    )
    with (tmp_path / "en" / "LC_MESSAGES" / "django.po").open("rb") as f:
        fresh = read_po(f, locale="en", domain="django")
    known = {m.id for m in read_catalog() if m.id}
    missing = [describe(m) for m in fresh if m.id and m.id not in known]
    assert not missing, (
        "messages in the source that are not in binasehat/locale/en/LC_MESSAGES/django.po; run makemessages "
        "(see the Makefile) and translate them:\n" + "\n".join(missing)
    )


# --- (b) the site in English -----------------------------------------------------------------------------------------


@pytest.fixture
def dinkes_client(client, db):
    from binasehat.accounts.models import User

    user = User.objects.create_user(username="catalog-check", password="Rahasia-Sekali-2025", role="dinkes")
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_default_language_is_indonesian(dinkes_client, english_catalog):
    assert django_settings.LANGUAGE_CODE == "id"
    response = dinkes_client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="id"' in html
    assert "Beranda" in html and "Keluar" in html
    assert "Log out" not in html


@pytest.mark.django_db
def test_choosing_english_translates_the_page(dinkes_client, english_catalog):
    response = dinkes_client.post("/bahasa/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "en"

    response = dinkes_client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="en"' in html
    assert "Home" in html and "Log out" in html
    assert "Beranda" not in html and "Keluar" not in html

    # And back again.
    dinkes_client.post("/bahasa/", {"language": "id", "next": "/"})
    html = dinkes_client.get("/").content.decode()
    assert "Beranda" in html and "Log out" not in html


def test_plural_message_is_translated_in_english(english_catalog):
    from django.utils import translation

    with translation.override("en"):
        assert translation.ngettext(
            "%(active)s dari %(total)s posyandu di %(n)s wilayah tercatat beroperasi.",
            "%(active)s dari %(total)s posyandu di %(n)s wilayah tercatat beroperasi.",
            1,
        ) % {"active": 3, "total": 4, "n": 1} == "3 of 4 posyandu in 1 area recorded as operating."
        assert translation.ngettext(
            "%(active)s dari %(total)s posyandu di %(n)s wilayah tercatat beroperasi.",
            "%(active)s dari %(total)s posyandu di %(n)s wilayah tercatat beroperasi.",
            8,
        ) % {"active": 117, "total": 122, "n": 8} == "117 of 122 posyandu in 8 areas recorded as operating."


def test_no_message_is_defined_twice():
    """Two definitions of one msgid (what a line-union merge of appended entries leaves behind) make GNU msgfmt fail
    and leave Babel's choice between the two translations to chance."""
    seen, twice = {}, []
    for block in PO_PATH.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#")]
        context = next((line[9:-1] for line in lines if line.startswith("msgctxt ")), None)
        msgid, in_id = [], False
        for line in lines:
            if line.startswith("msgid "):
                in_id = True
                msgid.append(line[6:])
            elif line.startswith(("msgstr", "msgid_plural")):
                in_id = False
            elif in_id and line.startswith('"'):
                msgid.append(line)
        key = (context, "".join(part.strip()[1:-1] for part in msgid))
        if key[1]:
            if key in seen:
                twice.append(key)
            seen[key] = True
    assert twice == []
