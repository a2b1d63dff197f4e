"""The synthetic site of benchmarks/generate_site.py, built by Pelican.

Pelican's own i18n: every item carries ``Lang`` and pairs with its translation
by slug; the default theme adds the language links and hreflang. The one category,
news, is the paginated news list (by 10, as is the index); tags, authors and
archives are off (this project has none); there is an Atom feed per language and a sitemap with
alternates. An item's page also has what this project's build writes in its head
(canonical, x-default, Open Graph, Twitter, JSON-LD) and a breadcrumb trail
(templates/article.html). No content cache, unless the benchmark asks for one.
"""

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent

AUTHOR = "LSH"
SITENAME = "Life Sciences & Health Amsterdam"
SITEURL = "https://lsh.amsterdam"
PATH = "content"
TIMEZONE = "Europe/Amsterdam"
DEFAULT_LANG = "en"
DEFAULT_DATE_FORMAT = "%d %B %Y"
DEFAULT_PAGINATION = 10
LOCALE_IDS = {"en": "en_GB", "nl": "nl_NL"}  # og:locale
RELATIVE_URLS = False

MARKDOWN = {
    "extensions": ["markdown.extensions.extra", "markdown.extensions.sane_lists", "markdown.extensions.toc"],
    "output_format": "html5",
}

ARTICLE_PATHS = ["en", "nl"]
STATIC_PATHS = ["images"]
ARTICLE_URL = "{lang}/news/{slug}/"
ARTICLE_SAVE_AS = "{lang}/news/{slug}/index.html"
ARTICLE_LANG_URL = ARTICLE_URL
ARTICLE_LANG_SAVE_AS = ARTICLE_SAVE_AS

DIRECT_TEMPLATES = ["index", "sitemap"]
SITEMAP_SAVE_AS = "sitemap.xml"
THEME_TEMPLATES_OVERRIDES = [str(HERE / "templates")]
CATEGORY_URL = "{slug}/"
CATEGORY_SAVE_AS = "{slug}/index.html"  # the paginated news list
TAG_SAVE_AS = AUTHOR_SAVE_AS = ""
CATEGORIES_SAVE_AS = TAGS_SAVE_AS = AUTHORS_SAVE_AS = ARCHIVES_SAVE_AS = ""
PAGE_PATHS = []
DEFAULT_CATEGORY = "news"
USE_FOLDER_AS_CATEGORY = False

FEED_ALL_ATOM = None  # one feed per language, as this project's build writes
TRANSLATION_FEED_ATOM = "feeds/all-{lang}.atom.xml"
CATEGORY_FEED_ATOM = None
AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = None
FEED_MAX_ITEMS = 50

CACHE_CONTENT = os.environ.get("PELICAN_CACHE") == "1"
LOAD_CONTENT_CACHE = CACHE_CONTENT
CACHE_PATH = os.environ.get("PELICAN_CACHE_PATH", "cache")
