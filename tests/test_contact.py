"""The contact page: /en/contact/ and /nl/contact/, each the other's translation, which the footer
and the home page lead to; below its text the addresses of site.yaml's ``contact:``, each shown
only when filled in, and a web or e-mail address that is none refused with the line it is on."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import REPO, run_process, write_tree
from test_bad_input import assert_failed_cleanly
from test_real_site import _Page

from site_builder import stages
from site_builder.config import load_config, parse_config
from site_builder.errors import SiteError, SiteErrors, format_error

BASE_URL = load_config(REPO).base_url
CONTACT = {"en": "/en/contact/", "nl": "/nl/contact/"}
HOME = {"en": "/en/", "nl": "/nl/"}
ABOUT = {"en": "/en/about/", "nl": "/nl/over-ons/"}
# The pages the contact page links to: about the programme, the programme, places and players.
RELATED = {
    "en": ("/en/about/", "/en/programme/", "/en/places-and-players/"),
    "nl": ("/nl/over-ons/", "/nl/programma/", "/nl/plekken-en-spelers/"),
}
# The one address the sources give: the NFIA's Invest in Holland network (the action programme's
# footnote 12), set in the repository's site.yaml.
INVEST_IN_HOLLAND = "https://investinholland.com/"


class _Links(HTMLParser):
    """The links inside the element of a class (the footer's navigation, the addresses), with
    their text, and the text of the headings and term names there."""

    def __init__(self, text: str, tag: str, cls: str) -> None:
        super().__init__()
        self.tag, self.cls = tag, cls
        self.links: list[tuple[str, str]] = []
        self.words: list[str] = []
        self._depth = 0
        self._href: str | None = None
        self._text = ""
        self._in_word = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if self._depth:
            self._depth += tag == self.tag
        elif tag == self.tag and self.cls in attrs.get("class", "").split():
            self._depth = 1
        if self._depth and tag == "a":
            self._href, self._text = attrs.get("href", ""), ""
        if self._depth and tag in ("h3", "dt"):
            self.words.append("")
            self._in_word = True
        elif tag in ("dd", "dl"):  # a minified page leaves out the </dt>
            self._in_word = False

    def handle_endtag(self, tag):
        if self._depth and tag == "a" and self._href is not None:
            self.links.append((self._href, self._text))
            self._href = None
        if self._depth and tag == self.tag:
            self._depth -= 1
        if tag in ("h3", "dt"):
            self._in_word = False

    def handle_data(self, data):
        if self._href is not None:
            self._text += data
        elif self._in_word:
            self.words[-1] += data


def _html(built: Path, url: str) -> str:
    page = built / url.strip("/") / "index.html"
    assert page.is_file(), f"{url} was not built"
    return page.read_text("utf-8")


def _footer_links(html: str) -> dict[str, str]:
    return {text: href for href, text in _Links(html, "nav", "footer-nav").links}


# --- the real site -----------------------------------------------------------


def test_the_page_is_at_both_addresses_and_names_its_translation(built):
    for lang, other in (("en", "nl"), ("nl", "en")):
        page = _Page(_html(built, CONTACT[lang]))
        assert page.lang == lang
        assert page.canonical == BASE_URL + CONTACT[lang]
        assert page.alternates[other] == BASE_URL + CONTACT[other]
        assert page.alternates[lang] == BASE_URL + CONTACT[lang]
        assert [link["href"] for link in page.switcher] == [CONTACT[other]]


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_footer_and_the_home_page_lead_to_the_contact_page(built, lang):
    for url in (HOME[lang], ABOUT[lang], CONTACT[lang]):
        assert _footer_links(_html(built, url))["Contact"] == CONTACT[lang], url
    assert CONTACT[lang] in _Page(_html(built, HOME[lang])).links
    # The about page's contact paragraph now points there too, and nothing links to it by its anchor.
    assert CONTACT[lang] in _Page(_html(built, ABOUT[lang])).links
    assert not [
        link for page in (HOME, ABOUT) for link in _Page(_html(built, page[lang])).links if "#contact" in link
    ]


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_real_page_shows_only_the_address_the_sources_give(built, lang):
    html = _html(built, CONTACT[lang])
    addresses = _Links(html, "section", "contact-addresses")
    assert addresses.links == [(INVEST_IN_HOLLAND, "investinholland.com")]
    assert not re.search(r"href=\"?(mailto|tel):", html)  # no e-mail address or number of our own
    # The page names its sources and links the pages it draws on.
    links = _Page(html).links
    for page in RELATED[lang]:
        assert page in links, page
    assert ("Source:" if lang == "en" else "Bron:") in html


# --- the setting -------------------------------------------------------------

CONTACT_PAGE = {
    "content/en/contact.md": "---\ntitle: Contact\ntemplate: contact.html\n---\nWho does what.\n",
    "content/nl/contact.md": "---\ntitle: Contact\ntemplate: contact.html\n---\nWie wat doet.\n",
}


def _pages(root: Path) -> dict[str, str]:
    return {f.path: f.data.decode() for f in stages.generate(root).files if f.path.endswith(".html")}


def _with_contact(root: Path, setting: str) -> None:
    """site.yaml with ``setting`` in place of its ``contact:``."""
    path = root / "site.yaml"
    text = re.sub(r"^contact:\n(?:(?:[ ]+.*|[ ]*#.*)?\n)*", "", path.read_text("utf-8"), flags=re.MULTILINE)
    path.write_text(text + setting, "utf-8")


def test_an_address_filled_in_is_shown_and_one_left_empty_is_not(mini_site):
    write_tree(mini_site, CONTACT_PAGE)
    _with_contact(
        mini_site,
        "contact:\n"
        "  - name: {en: R&D <team>, nl: R&D-<team>}\n"
        "    email: lsh@example.org\n"
        '    phone: "+31 (0)20 123 4567"\n'
        "    address:\n"
        "      en: |\n        Street 1\n        Amsterdam\n"
        "      nl: Straat 1\n"
        "    website:\n"
        "  - name: Left empty\n"
        "    signup:\n",
    )
    files = _pages(mini_site)
    en = _Links(files["en/contact/index.html"], "section", "contact-addresses")
    assert en.links == [
        ("mailto:lsh@example.org", "lsh@example.org"),
        ("tel:+31201234567", "+31 (0)20 123 4567"),
    ]
    assert en.words == ["R&D <team>", "Postal address", "E-mail", "Telephone"]  # no Website, no "Left empty"
    assert "R&amp;D &lt;team&gt;" in files["en/contact/index.html"]  # escaped, as every setting shown
    assert "Street 1<br>Amsterdam" in files["en/contact/index.html"]
    nl = _Links(files["nl/contact/index.html"], "section", "contact-addresses")
    assert nl.words == ["R&D-<team>", "Postadres", "E-mail", "Telefoon"]
    assert "Straat 1" in files["nl/contact/index.html"]


def test_with_nothing_filled_in_the_page_has_no_addresses_section(mini_site):
    write_tree(mini_site, CONTACT_PAGE)
    _with_contact(mini_site, "contact:\n  - name: Nothing yet\n    email:\n")
    files = _pages(mini_site)
    assert "Who does what." in files["en/contact/index.html"]
    assert "contact-addresses" not in files["en/contact/index.html"]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (
            "website",
            "javascript:alert(1)",
            (
                "contact[1].website 'javascript:alert(1)' is not a web address "
                "(hint: an address starting with https:// or http://, such as https://example.org/)"
            ),
        ),
        (
            "signup",
            "javascript:alert(1)",
            (
                "contact[1].signup 'javascript:alert(1)' is neither a web address nor mailto: and an e-mail "
                "address (hint: where to sign up for news: https://…, http://… or mailto:…, "
                "such as mailto:news@example.org)"
            ),
        ),
        (
            "email",
            "lsh(at)example.org",
            "contact[1].email 'lsh(at)example.org' is not an e-mail address (hint: such as info@example.org)",
        ),
    ],
)
def test_a_bad_address_is_refused_naming_its_line_and_the_build_is_kept(mini_built, field, value, expected):
    root, before = mini_built
    _with_contact(root, f"contact:\n  - name: LSH programme team\n    {field}: {value}\n")
    line = (root / "site.yaml").read_text("utf-8").splitlines().index(f"    {field}: {value}") + 1
    result = run_process("-C", root, "build", cwd=root)
    assert_failed_cleanly(root, before, result, [f"site.yaml:{line}: {expected}"])


# --- the setting's other mistakes, each on its line -----------------------------

SETTINGS = (REPO / "site.yaml").read_text("utf-8").split("\ncontact:\n")[0] + "\n"


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        (
            "contact:\n  - name: {en: Programme team}\n",
            "contact[1].name has no entry for language 'nl' (hint: add 'nl: …' under name:)",
        ),
        (
            "contact:\n  - name: Programme team\n    mail: lsh@example.org\n",
            "unknown key 'contact[1].mail' (hint: did you mean 'email'?)",
        ),
        (
            "contact:\n  - name: Programme team\n    phone: [+31 20 123 4567]\n",
            (
                "contact[1].phone is a list, expected text (hint: write the text on the same line; "
                'text that starts with [ or - goes in quotes, such as "[draft] Plan")'
            ),
        ),
        (
            "contact:\n  - name: Programme team\n    phone: true\n",
            (
                "contact[1].phone is true/false, expected text (hint: put the word in quotes, "
                'such as "true": unquoted, true and false are read as true or false)'
            ),
        ),
        (
            "contact:\n  - name: Programme team\n    phone: 12\n",
            "contact[1].phone '12' is not a telephone number (hint: such as +31 20 123 4567)",
        ),
        (
            "contact:\n  - name: Programme team\n    address:\n      en: Amstel 1\n      nl: [Amstel 1]\n",
            (
                "contact[1].address.nl must be text (hint: write the text on the same line; "
                'text that starts with [ or - goes in quotes, such as "[draft] Plan")'
            ),
        ),
        (
            "contact:\n  - name:\n      en: Programme team\n      nl: ~\n",
            (
                "contact[1].name.nl must be text "
                "(hint: the organisation's name in that language, such as nl: Amsterdam Economic Board)"
            ),
        ),
        (
            "contact:\n  - name: Programme team\n    address:\n      en: Amstel 1\n      nl:\n",
            (
                "contact[1].address.nl must be text "
                "(hint: the postal address in that language, its lines below 'nl: |')"
            ),
        ),
        (
            "contact:\n  - name:\n      nl: Programmateam\n      en: Programme team\n      de: Team\n",
            "contact[1].name.de: 'de' is not one of the languages (hint: one of: en, nl)",
        ),
        (
            "contact:\n  - name:\n      en: Programme team\n      nk: Programmateam\n",
            "contact[1].name.nk: 'nk' is not one of the languages (hint: did you mean 'nl'?)",
        ),
        (
            "contact:\n  - Programme team\n",
            (
                "contact[1] must be an organisation with a name and its addresses "
                "(hint: a list of organisations, each '- name: …' with its addresses on the lines below)"
            ),
        ),
    ],
)
def test_other_mistakes_in_the_setting_name_their_line(setting, expected):
    text = SETTINGS + setting
    with pytest.raises((SiteError, SiteErrors)) as caught:
        parse_config(text)
    errors = caught.value.errors if isinstance(caught.value, SiteErrors) else (caught.value,)
    line = len(text.splitlines())
    assert [format_error(error) for error in errors] == [f"site.yaml:{line}: {expected}"]


@pytest.mark.parametrize("scheme", ["https", "http"])
def test_a_web_address_is_taken_with_either_scheme_the_hint_names(scheme):
    """The hint of a website or signup refused names both schemes: each is taken."""
    config = parse_config(
        SETTINGS + f"contact:\n  - name: Board\n    website: {scheme}://example.org/\n"
        f"    signup: {scheme}://example.org/news\n"
    )
    (entry,) = config.contact_entries("en")
    assert (entry.website, entry.signup) == (f"{scheme}://example.org/", f"{scheme}://example.org/news")


def test_a_setting_left_empty_lists_nothing():
    assert parse_config(SETTINGS + "contact:\n").contact_entries("en") == ()
    assert (
        parse_config(SETTINGS + "contact:\n  - name: Programme team\n    email:\n").contact_entries("nl")
        == ()
    )


def test_a_telephone_number_unquoted_is_kept_as_written_with_its_plus():
    """YAML reads it as a number; said before to be written in quotes, it is the text it was written as."""
    config = parse_config(SETTINGS + "contact:\n  - name: Programme team\n    phone: +31201234567\n")
    assert dict(config.contact[0])["phone"] == "+31201234567"


def test_a_telephone_number_starting_with_0_is_kept_as_written():
    """YAML 1.1 read 0201234567 as an octal number; it is text, with its 0."""
    config = parse_config(SETTINGS + "contact:\n  - name: Programme team\n    phone: 0201234567\n")
    assert dict(config.contact[0])["phone"] == "0201234567"
