"""zh-Hans is the default UI language: every string has a translation, and the compiled
catalogue that ships (no gettext needed at install) matches the source catalogue."""

import gettext
import re
from pathlib import Path

from django.conf import settings
from django.test import Client

LOCALE = Path(settings.BASE_DIR) / "linju" / "locale" / "zh_Hans" / "LC_MESSAGES"


def po_entries():
    """(msgid, msgstr) pairs of django.po, plural forms joined, header skipped."""
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    entries = []
    for block in text.split("\n\n"):
        if "msgid" not in block:
            continue
        fuzzy = "#, fuzzy" in block or re.search(r"^#,.*fuzzy", block, re.M)
        head = re.split(r"^msgid_plural |^msgstr", block.split("msgid ", 1)[1], flags=re.M)[0]
        msgid = "".join(re.findall(r'"(.*)"', head))
        msgstr = "".join(re.findall(r'"(.*)"', block.split("msgstr", 1)[1]))
        if msgid:
            entries.append((msgid, msgstr, bool(fuzzy)))
    return entries


def test_every_string_is_translated():
    untranslated = [msgid for msgid, msgstr, fuzzy in po_entries() if not msgstr or fuzzy]
    assert untranslated == []


def test_compiled_catalogue_matches_the_source():
    with (LOCALE / "django.mo").open("rb") as f:
        catalogue = gettext.GNUTranslations(f)
    # Keys of entries with a context are "context\x04msgid".
    keys = (k if isinstance(k, str) else k[0] for k in catalogue._catalog if k)
    compiled = {k.split("\x04")[-1] for k in keys}
    source = {
        msgid.encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
        for msgid, _, _ in po_entries()
    }
    missing = sorted(source - compiled)[:5]
    assert not missing, f"run `make messages`: {missing}"


def test_pages_speak_chinese_by_default_and_english_on_request(db):
    page = Client().get("/accounts/login/").content.decode()
    assert "登录" in page
    english = Client(headers={"cookie": f"{settings.LANGUAGE_COOKIE_NAME}=en"})
    assert "Log in" in english.get("/accounts/login/").content.decode()


def test_an_english_browser_still_gets_chinese_until_the_switch_is_used(db):
    browser = Client(headers={"accept-language": "en-US,en;q=0.9"})
    assert "登录" in browser.get("/accounts/login/").content.decode()
