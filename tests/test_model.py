"""The site model: slugs, URLs, translations, news order and pages, menus, breadcrumbs.

Pages are read with ``load.load_sources`` from the mini site plus a few files
written for the test, so the inputs look exactly like an editor's.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_tree

from site_builder.config import load_config
from site_builder.content.load import load_sources
from site_builder.errors import SiteErrors, format_error
from site_builder.site.model import Site, build_site, slugify, url_to_file


def make_site(
    root: Path, files: dict[str, str] | None = None, *, page_size: int | None = None, drafts: bool = False
) -> Site:
    write_tree(root, files or {})
    if page_size is not None:
        config_file = root / "site.yaml"
        text = config_file.read_text(encoding="utf-8")
        assert "news_page_size: 10" in text
        text = text.replace("news_page_size: 10", f"news_page_size: {page_size}")
        config_file.write_text(text, encoding="utf-8")
    config = load_config(root)
    return build_site(config, load_sources(root, config), include_drafts=drafts)


def model_errors(root: Path, files: dict[str, str]) -> list[str]:
    with pytest.raises(SiteErrors) as caught:
        make_site(root, files)
    return [format_error(e) for e in caught.value.errors]


def page_at(site: Site, lang: str, rel: str):
    page = site.page_for_source(lang, rel)
    assert page is not None, (lang, rel)
    return page


# --- slugs ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Café Ünïcode", "cafe-unicode"),
        ("Ærø & Œuvre in Łódź", "aero-oeuvre-in-lodz"),
        ("Over ons", "over-ons"),
        ("  Life   Sciences & Health  ", "life-sciences-health"),
        ("2019-09-26 MoU", "2019-09-26-mou"),
        ("", ""),
        ("   ", ""),
        ("!!!", ""),
    ],
)
def test_slugify(text, slug):
    assert slugify(text) == slug


def test_slugify_treats_non_ascii_punctuation_as_a_separator():
    assert slugify("Actieprogramma 2019–2022") == "actieprogramma-2019-2022"


@pytest.mark.parametrize(
    ("url", "file"),
    [("/", "index.html"), ("/nl/", "nl/index.html"), ("/nl/nieuws/ema/", "nl/nieuws/ema/index.html")],
)
def test_url_to_file(url, file):
    assert url_to_file(url) == file


# --- URLs -------------------------------------------------------------------


def test_urls_use_slugs_and_section_slugs_from_index(mini_site):
    site = make_site(mini_site)
    urls = {(p.lang, p.source.rel): p.url for p in site.pages}
    assert urls == {
        ("en", "_index.md"): "/en/",
        ("en", "about.md"): "/en/about/",
        ("en", "key-figures.md"): "/en/key-figures/",
        ("en", "swot.md"): "/en/swot/",
        ("en", "news/_index.md"): "/en/news/",
        ("en", "news/2019-09-26-mou.md"): "/en/news/memorandum-of-understanding/",
        ("en", "news/2019-06-12-ema.md"): "/en/news/ema-opens-office/",
        ("en", "news/2018-11-20-action-programme.md"): "/en/news/action-programme/",
        ("nl", "_index.md"): "/nl/",
        ("nl", "about.md"): "/nl/over-ons/",
        ("nl", "key-figures.md"): "/nl/kerncijfers/",
        ("nl", "swot.md"): "/nl/swot/",
        ("nl", "news/_index.md"): "/nl/nieuws/",
        ("nl", "news/2019-09-26-mou.md"): "/nl/nieuws/intentieverklaring/",
        ("nl", "news/2019-06-12-ema.md"): "/nl/nieuws/ema-opent-kantoor/",
        ("nl", "news/2018-11-20-action-programme.md"): "/nl/nieuws/actieprogramma/",
    }
    assert [p.url for p in site.pages] == sorted(urls.values())  # sorted by language, then URL


def test_templates_chosen_by_kind(mini_site):
    site = make_site(mini_site)
    templates = {p.source.rel: p.template for p in site.pages if p.lang == "en"}
    assert templates == {
        "_index.md": "home.html",
        "about.md": "page.html",
        "key-figures.md": "key_figures.html",
        "swot.md": "swot.html",
        "news/_index.md": "news_list.html",
        "news/2019-09-26-mou.md": "news_item.html",
        "news/2019-06-12-ema.md": "news_item.html",
        "news/2018-11-20-action-programme.md": "news_item.html",
    }


def test_file_name_made_address_safe_and_nested_sections(mini_site):
    site = make_site(
        mini_site,
        {
            "content/nl/programma/_index.md": "---\ntitle: Programma\nslug: het-programma\n---\n",
            "content/nl/programma/Data & AI.md": "---\ntitle: Data en AI\n---\n",
            "content/nl/programma/zorg/Café Ünïcode.md": "---\ntitle: Zorg\n---\n",
        },
    )
    assert page_at(site, "nl", "programma/_index.md").url == "/nl/het-programma/"
    assert page_at(site, "nl", "programma/Data & AI.md").url == "/nl/het-programma/data-ai/"
    # a folder without _index.md takes its own name
    cafe = page_at(site, "nl", "programma/zorg/Café Ünïcode.md")
    assert cafe.url == "/nl/het-programma/zorg/cafe-unicode/"


def test_name_without_letters_needs_a_slug(mini_site):
    assert model_errors(mini_site, {"content/nl/!!!.md": "---\ntitle: Uitroep\n---\n"}) == [
        "content/nl/!!!.md:1: cannot make a web address from the name '!!!' "
        "(hint: add a 'slug:' line; use lower-case letters a-z, digits and single hyphens, such as over-ons)"
    ]


# --- translations -------------------------------------------------------------


def test_translations_paired_by_path(mini_site):
    site = make_site(mini_site)
    nl_about = page_at(site, "nl", "about.md")
    en_about = page_at(site, "en", "about.md")
    assert site.translations_of(nl_about) == (en_about,)
    assert site.translation(en_about, "nl") is nl_about
    assert nl_about.key == en_about.key


def test_translations_paired_by_translation_key(mini_site):
    site = make_site(
        mini_site,
        {
            "content/nl/partners.md": "---\ntitle: Partners\ntranslation_key: partners\n---\n",
            "content/en/our-partners.md": "---\ntitle: Our partners\ntranslation_key: partners\n---\n",
        },
    )
    nl = page_at(site, "nl", "partners.md")
    en = page_at(site, "en", "our-partners.md")
    assert site.translation(nl, "en") is en
    assert site.alternates(nl) == (
        ("en", "/en/our-partners/"),
        ("nl", "/nl/partners/"),
        ("x-default", "/en/our-partners/"),
    )


def test_different_paths_without_key_are_not_paired(mini_site):
    site = make_site(
        mini_site,
        {
            "content/nl/partners.md": "---\ntitle: Partners\n---\n",
            "content/en/our-partners.md": "---\ntitle: Our partners\n---\n",
        },
    )
    assert site.translation(page_at(site, "nl", "partners.md"), "en") is None


def test_translation_key_used_twice_in_one_language(mini_site):
    errors = model_errors(
        mini_site,
        {
            "content/nl/partners.md": "---\ntitle: Partners\ntranslation_key: partners\n---\n",
            "content/nl/partners-oud.md": (
                "---\ntitle: Oud\nsummary: Archief\ntranslation_key: partners\n---\n"
            ),
        },
    )
    message = (
        "translation_key 'partners' is used by 2 'nl' pages: "
        "content/nl/partners-oud.md, content/nl/partners.md "
        "(hint: each language may have one page per translation_key)"
    )
    assert errors == [f"content/nl/partners-oud.md:4: {message}", f"content/nl/partners.md:3: {message}"]


def test_duplicate_url_one_error_per_claimant(mini_site):
    errors = model_errors(mini_site, {"content/nl/contact.md": "---\ntitle: Contact\nslug: over-ons\n---\n"})
    message = (
        "the address /nl/over-ons/ is claimed by 2 pages: content/nl/about.md, content/nl/contact.md "
        "(hint: give one of them a different slug)"
    )
    assert errors == [f"content/nl/about.md:3: {message}", f"content/nl/contact.md:3: {message}"]


def test_page_claiming_a_news_list_page_url(mini_site):
    errors = model_errors(
        mini_site,
        {
            "content/en/news/page/2.md": "---\ntitle: Page two\n---\n",
            "site.yaml": (mini_site / "site.yaml").read_text().replace("page_size: 10", "page_size: 2"),
        },
    )
    assert errors == [
        "content/en/news/page/2.md: the address /en/news/page/2/ is claimed by 2 pages: "
        "content/en/news/page/2.md, (news list page) (hint: give one of them a different slug)"
    ]


# --- news ---------------------------------------------------------------------


def test_news_sorted_newest_first(mini_site):
    site = make_site(mini_site)
    assert [p.front.date.isoformat() for p in site.news["nl"]] == ["2019-09-26", "2019-06-12", "2018-11-20"]
    assert [p.url for p in site.news["en"]] == [
        "/en/news/memorandum-of-understanding/",
        "/en/news/ema-opens-office/",
        "/en/news/action-programme/",
    ]


def test_news_neighbours(mini_site):
    site = make_site(mini_site)
    ema = page_at(site, "en", "news/2019-06-12-ema.md")
    newer, older = site.news_neighbours(ema)
    assert (newer.url, older.url) == ("/en/news/memorandum-of-understanding/", "/en/news/action-programme/")
    assert site.news_neighbours(page_at(site, "en", "about.md")) == (None, None)


def test_pagination(mini_site):
    site = make_site(mini_site, page_size=2)
    first, second = site.news_pages["en"]
    assert (first.number, first.total, first.url) == (1, 2, "/en/news/")
    assert (first.previous_url, first.next_url) == (None, "/en/news/page/2/")
    assert [p.url for p in first.items] == [
        "/en/news/memorandum-of-understanding/",
        "/en/news/ema-opens-office/",
    ]
    assert (second.number, second.total, second.url) == (2, 2, "/en/news/page/2/")
    assert (second.previous_url, second.next_url) == ("/en/news/", None)
    assert [p.url for p in second.items] == ["/en/news/action-programme/"]
    assert [p.url for p in site.news_pages["nl"]] == ["/nl/nieuws/", "/nl/nieuws/pagina/2/"]
    assert {"/en/news/page/2/", "/nl/nieuws/pagina/2/"} <= site.urls


def test_one_news_page_when_everything_fits(mini_site):
    site = make_site(mini_site)
    (only,) = site.news_pages["en"]
    assert (only.total, only.previous_url, only.next_url, len(only.items)) == (1, None, None, 3)


def test_drafts_excluded_unless_asked_for(mini_site):
    files = {
        "content/en/news/2019-12-01-draft.md": (
            "---\ntitle: Coming soon\ndate: 2019-12-01\ndraft: true\n---\n"
        ),
        "content/en/plans.md": "---\ntitle: Plans\ndraft: true\nmenu: true\n---\n",
    }
    published = make_site(mini_site, files)
    assert "/en/news/2019-12-01-draft/" not in published.urls
    assert "/en/plans/" not in published.urls
    assert all(not p.front.draft for p in published.news["en"] + published.menus["en"])

    with_drafts = make_site(mini_site, drafts=True)
    assert with_drafts.news["en"][0].url == "/en/news/2019-12-01-draft/"
    assert "/en/plans/" in {p.url for p in with_drafts.menus["en"]}
    assert with_drafts.include_drafts is True


# --- navigation -----------------------------------------------------------------


def test_menus_sorted_by_weight(mini_site):
    site = make_site(mini_site)
    assert [p.url for p in site.menus["en"]] == ["/en/key-figures/", "/en/about/", "/en/news/"]
    assert [p.url for p in site.menus["nl"]] == ["/nl/kerncijfers/", "/nl/over-ons/", "/nl/nieuws/"]


def test_menu_ties_broken_by_title(mini_site):
    site = make_site(
        mini_site,
        {
            "content/en/zebra.md": "---\ntitle: Alpha\nmenu: true\nweight: 20\n---\n",
            "content/en/contact.md": "---\ntitle: Contact\nmenu: true\nweight: 5\n---\n",
        },
    )
    assert [p.title for p in site.menus["en"]] == ["Contact", "Key figures", "About us", "Alpha", "News"]


def test_breadcrumbs(mini_site):
    site = make_site(mini_site)
    item = page_at(site, "nl", "news/2019-06-12-ema.md")
    assert [p.url for p in site.breadcrumbs(item)] == ["/nl/", "/nl/nieuws/", "/nl/nieuws/ema-opent-kantoor/"]
    assert [p.url for p in site.breadcrumbs(page_at(site, "nl", "news/_index.md"))] == ["/nl/", "/nl/nieuws/"]
    assert [p.url for p in site.breadcrumbs(page_at(site, "nl", "about.md"))] == ["/nl/", "/nl/over-ons/"]
    assert [p.url for p in site.breadcrumbs(site.homes["nl"])] == ["/nl/"]


def test_children_of_home_and_news_list(mini_site):
    site = make_site(mini_site)
    # by weight (swot has none, so 0), then title
    assert [p.url for p in site.children(site.homes["en"])] == [
        "/en/swot/",
        "/en/key-figures/",
        "/en/about/",
        "/en/news/",
    ]
    assert site.children(page_at(site, "en", "news/_index.md")) == site.news["en"]
    assert site.children(page_at(site, "en", "about.md")) == ()


def test_nested_sections_list_and_lead_to_their_pages(mini_site):
    site = make_site(
        mini_site,
        {
            "content/en/programme/_index.md": "---\ntitle: Programme\n---\n",
            "content/en/programme/data/_index.md": "---\ntitle: Data\n---\n",
            "content/en/programme/data/ai.md": "---\ntitle: AI\n---\n",
            "content/en/programme/health.md": "---\ntitle: Health\n---\n",
        },
    )
    programme, data = (
        page_at(site, "en", "programme/_index.md"),
        page_at(site, "en", "programme/data/_index.md"),
    )
    ai = page_at(site, "en", "programme/data/ai.md")
    assert [p.url for p in site.breadcrumbs(ai)] == [
        "/en/",
        "/en/programme/",
        "/en/programme/data/",
        "/en/programme/data/ai/",
    ]
    assert [p.url for p in site.breadcrumbs(data)] == ["/en/", "/en/programme/", "/en/programme/data/"]
    assert [p.url for p in site.children(programme)] == ["/en/programme/data/", "/en/programme/health/"]
    assert site.children(data) == (ai,)
    assert programme in site.children(site.homes["en"]) and data not in site.children(site.homes["en"])


def test_alternates_with_x_default(mini_site):
    site = make_site(mini_site, {"content/nl/alleen-nl.md": "---\ntitle: Alleen Nederlands\n---\n"})
    assert site.alternates(page_at(site, "nl", "about.md")) == (
        ("en", "/en/about/"),
        ("nl", "/nl/over-ons/"),
        ("x-default", "/en/about/"),
    )
    # home pages point x-default at the root language chooser
    assert site.alternates(site.homes["nl"]) == (("en", "/en/"), ("nl", "/nl/"), ("x-default", "/"))
    # no default-language version: no x-default
    assert site.alternates(page_at(site, "nl", "alleen-nl.md")) == (("nl", "/nl/alleen-nl/"),)


def test_language_links_go_to_translation_or_other_home(mini_site):
    site = make_site(mini_site, {"content/nl/alleen-nl.md": "---\ntitle: Alleen Nederlands\n---\n"})
    (link,) = site.language_links(page_at(site, "nl", "about.md"))
    assert (link.language.code, link.url, link.is_translation) == ("en", "/en/about/", True)
    (fallback,) = site.language_links(page_at(site, "nl", "alleen-nl.md"))
    assert (fallback.language.code, fallback.url, fallback.is_translation) == ("en", "/en/", False)
