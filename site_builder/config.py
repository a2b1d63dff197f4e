"""``site.yaml`` → ``SiteConfig``.

Unknown keys and wrong types are errors naming the line; every problem is
reported in one go.
"""

from __future__ import annotations

import datetime
import os
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, replace
from pathlib import Path

from site_builder.content.frontmatter import MAX_TITLE, SLUG, SLUG_HINT
from site_builder.content.schema import (
    Field,
    YamlMap,
    as_text,
    between,
    did_you_mean,
    shows_nothing,
    text_hint,
    validate,
)
from site_builder.errors import UNREADABLE_HINT, Message, SiteError, msg, raise_if_any
from site_builder.project import CONFIG_FILE

MISSING_TRANSLATION_POLICIES = ("warn", "error")
# The zone whose calendar says which day it is for scheduled pages (see ``SiteConfig.today``).
DEFAULT_TIME_ZONE = "Europe/Amsterdam"
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})*")


@dataclass(frozen=True, slots=True)
class Language:
    """One of the site's languages, as ``site.yaml`` describes it."""

    code: str  # "nl": the URL prefix and the html lang attribute
    locale_id: str  # Babel's name of the locale for numbers and dates: "nl_NL"
    name: str  # the language's name in itself: "Nederlands"
    title: str  # the site's title in this language
    description: str


@dataclass(frozen=True, slots=True)
class Topic:
    """A topic that news items may list (``topics:`` in site.yaml): the key they list it by,
    and its name and slug in each language, which make its pages' addresses."""

    key: str  # "ema": the same in every language
    names: tuple[tuple[str, str], ...]  # (language code, name), by code
    slugs: tuple[tuple[str, str], ...]  # (language code, slug), by code

    def name(self, lang: str) -> str:
        return dict(self.names)[lang]

    def slug(self, lang: str) -> str:
        return dict(self.slugs)[lang]


@dataclass(frozen=True, slots=True)
class ContactEntry:
    """One organisation's addresses in one language, as the contact page lists them (made from
    ``contact:`` in site.yaml by ``SiteConfig.contact_entries``; a field not filled in is empty)."""

    name: str
    email: str = ""
    phone: str = ""
    address: str = ""  # the postal address, its lines separated by line breaks
    website: str = ""  # http(s)://
    signup: str = ""  # http(s):// or mailto:, where to sign up for news

    @property
    def phone_uri(self) -> str:
        """``tel:`` and the number without the spaces, dots and brackets written to read it, nor
        the (0) that is dialled only from within the country: +31 (0)20 … → tel:+3120…."""
        return "tel:" + re.sub(r"[^+0-9]", "", self.phone.replace("(0)", ""))

    @property
    def website_text(self) -> str:
        """The web address as a link shows it: without its scheme or a closing slash."""
        return self.website.partition("://")[2].rstrip("/")

    @property
    def address_lines(self) -> tuple[str, ...]:
        return tuple(line.strip() for line in self.address.splitlines() if line.strip())


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """``site.yaml``, checked."""

    base_url: str  # without trailing slash
    default_language: str
    languages: tuple[Language, ...]  # sorted by code
    news_page_size: int
    missing_translation: str = "warn"  # or "error"
    embed_hosts: tuple[str, ...] = ()  # hosts whose https pages the content may show in an <iframe>
    # Where base_url was written: site.yaml's line, or None when given as --base-url.
    base_url_line: int | None = None
    time_zone: str = DEFAULT_TIME_ZONE  # an IANA name, checked by ``_check_time_zone``
    topics: tuple[Topic, ...] = ()  # in the order site.yaml declares them
    search: bool = True  # a search page and its index (see render.search)
    # ``contact:``, each entry its filled-in fields as (field, value) pairs, a text given per
    # language as ("name:nl", …): plain values, which the build cache keys on and stores.
    contact: tuple[tuple[tuple[str, str], ...], ...] = ()

    def today(self, now: float) -> datetime.date:
        """The day it is at ``now`` (seconds since 1970) where the site is published: not the
        machine's zone, which on a CI runner is mostly UTC, a day off for an hour or two."""
        from zoneinfo import ZoneInfo

        return datetime.datetime.fromtimestamp(now, ZoneInfo(self.time_zone)).date()

    def start_of(self, day: datetime.date) -> float:
        """The moment (seconds since 1970) ``day`` begins where the site is published."""
        from zoneinfo import ZoneInfo

        return datetime.datetime.combine(day, datetime.time(), ZoneInfo(self.time_zone)).timestamp()

    def contact_entries(self, lang: str) -> tuple[ContactEntry, ...]:
        """The ``contact:`` entries with at least one address filled in, in the order written,
        in language ``lang``."""
        entries = []
        for fields in self.contact:
            values = dict(fields)
            entry = ContactEntry(
                **{
                    name: values.get(f"{name}:{lang}", values.get(name, ""))
                    for name in ("name", *_CONTACT_ADDRESSES)
                }
            )
            if any(getattr(entry, name) for name in _CONTACT_ADDRESSES):
                entries.append(entry)
        return tuple(entries)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(language.code for language in self.languages)

    def language(self, code: str) -> Language:
        for language in self.languages:
            if language.code == code:
                return language
        raise KeyError(code)

    def with_base_url(self, base_url: str) -> SiteConfig:
        """The settings with ``--base-url``'s address (checked by ``check_base_url``)."""
        return replace(self, base_url=base_url.rstrip("/"), base_url_line=None)

    def doubtful(self) -> list[SiteError]:
        """Warnings about the settings (see ``checks.wellformed.doubtful_values``)."""
        if not self.base_url.startswith("http://"):
            return []
        if self.base_url_line is None:
            return [_plain_http("--base-url", self.base_url)]
        return [_plain_http("base_url", self.base_url, CONFIG_FILE, self.base_url_line)]


# The site's address, which every page, feed, the sitemap and robots.txt put their paths
# after: https:// (or http:// for a local test), a host name (an international one written
# as xn--…), an IPv4 address or [an IPv6 one], a port, a path; no query or fragment. Nothing
# in it needs escaping anywhere it is written: no quotes, spaces, markup or control characters.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"  # of a host name: no hyphen at either end
_BASE_URL = re.compile(
    rf"https?://({_LABEL}(?:\.{_LABEL})*|\[[0-9A-Fa-f:.]+\])(?::([0-9]{{1,5}}))?"
    r"((?:/(?:[A-Za-z0-9._~+,=:@-]|%[0-9A-Fa-f]{2})*)*)"
)
_QUOTES = "\"'`\u2018\u2019\u201c\u201d\u00ab\u00bb"


def _check_url(value: str) -> Message | None:
    found = _BASE_URL.fullmatch(value)
    if found is not None:
        host, port, path = found[1], found[2], found[3]
        if not _is_host(host):
            # No browser would reach it: the site's every address would lead nowhere.
            return msg(
                "'{value}' is not a web address: its host is not a host name or an IP address", value=value
            )
        if port is not None and not 1 <= int(port) <= 65535:
            return msg("'{value}' is not a web address: its port is not from 1 to 65535", value=value)
        if any(segment.lower().replace("%2e", ".") in (".", "..") for segment in path.split("/")):
            # A browser resolves /a/../b to /b, and /a/%2e%2e/b as well: the site's addresses would
            # not be the ones it links.
            return msg("'{value}' is not a web address: its path has a . or .. part", value=value)
        return None
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in value)
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in value):
        return msg("'{value}' is not a web address: it contains a control character", value=shown)
    if any(c.isspace() for c in value):
        return msg("'{value}' is not a web address: it contains a space", value=shown)
    if any(c in _QUOTES for c in value):
        return msg("'{value}' is not a web address: it contains a quote", value=shown)
    if "<" in value or ">" in value:
        return msg("'{value}' is not a web address: it contains markup", value=shown)
    return msg("'{value}' is not a web address", value=shown)


def _is_host(host: str) -> bool:
    """Whether ``host`` (as ``_BASE_URL`` found it) is a host name of labels of at most 63
    characters, 253 in all, or an IPv6 address in brackets."""
    if host.startswith("["):
        import ipaddress

        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return False
        return True
    return len(host.rstrip(".")) <= 253 and all(len(label) <= 63 for label in host.split("."))


def check_base_url(value: str) -> Message | None:
    """Public so the command line can check ``--base-url`` the same way."""
    return _check_url(value)


def _plain_http(name: str, value: str, path: str | None = None, line: int | None = None) -> SiteError:
    # Accepted for a local test; published, its pages would name http:// addresses while
    # the site's headers send Strict-Transport-Security, which tells browsers to use https://.
    return SiteError(
        msg(
            "{name} '{value}' uses http://, fit for a local test only: the site sends HSTS, "
            "which makes browsers use https://",
            name=name,
            value=value,
        ),
        path,
        line,
        msg("publish with an https:// address"),
    )


# A host name as browsers and the CSP's frame-src compare it: lower-case ASCII labels, at least two.
_HOST = re.compile(
    r"(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
)
_HOST_HINT = msg("a host name alone, such as www.youtube-nocookie.com, without https:// or a path")


def _embed_hosts(data: YamlMap, values: dict, errors: list[SiteError]) -> tuple[str, ...]:
    """``embed_hosts``, each a host name; a mistake is reported on its own line."""
    written = data.get("embed_hosts")
    if "embed_hosts" not in values or not isinstance(written, list):
        return ()
    lines = getattr(written, "item_lines", [data.key_lines["embed_hosts"]] * len(written))
    hosts: list[str] = []
    for index, (host, line) in enumerate(zip(written, lines, strict=True)):
        key = f"embed_hosts[{index + 1}]"
        text, problem = as_text(host)
        if host is None:  # ~, or nothing after the '-'
            problem = msg("is empty")
        if problem is not None:  # or a mapping, a list, true or false
            errors.append(
                SiteError(msg("{key} {problem}", key=key, problem=problem), CONFIG_FILE, line, _HOST_HINT)
            )
        elif not _HOST.fullmatch(text := text.strip().lower()):
            errors.append(
                SiteError(
                    msg("{key} '{host}' is not a host name", key=key, host=host),
                    CONFIG_FILE,
                    line,
                    _HOST_HINT,
                )
            )
        elif text not in hosts:
            hosts.append(text)
    return tuple(sorted(hosts))


# More news items on a page than any site shows: a number beyond is a slip, a digit held down.
MAX_NEWS_PAGE_SIZE = 500
_CONTACT_HINT = msg("a list of organisations, each '- name: …' with its addresses on the lines below")
_TOP = {
    "base_url": Field("text", required=True, check=_check_url, hint=msg("such as https://example.org")),
    "default_language": Field(
        "text",
        required=True,
        hint=msg("the code of one of the languages, such as default_language: en"),
    ),
    "news_page_size": Field(
        "int",
        check=between(1, MAX_NEWS_PAGE_SIZE),
        hint=msg("the news items on a page, from 1 to {most:,}, such as 10", most=MAX_NEWS_PAGE_SIZE),
    ),
    "title": Field(
        "map",
        required=True,
        hint=msg("one title per language, on indented lines below it, such as 'en: Life Sciences Amsterdam'"),
    ),
    "description": Field(
        "map",
        hint=msg(
            "one description per language, on indented lines below it, such as 'en: Where science meets care'"
        ),
    ),
    "languages": Field(
        "map",
        required=True,
        hint=msg(
            "each language's code with its locale and name, such as 'en: {{locale: en_GB, name: English}}'"
        ),
    ),
    "missing_translation": Field(
        "text",
        check=lambda v: (
            None if v in MISSING_TRANSLATION_POLICIES else msg("'{value}' is not warn or error", value=v)
        ),
        hint=msg("warn: report and build; error: stop the build"),
    ),
    "embed_hosts": Field("list", hint=msg("a list of host names, such as [www.youtube-nocookie.com]")),
    "time_zone": Field(
        "text",
        check=lambda v: _check_time_zone(v),
        hint=msg("a time zone name such as Europe/Amsterdam: scheduled pages come due at midnight there"),
    ),
    "deploy": Field("map", hint=msg("targets by name, each with a bucket (docs/deploy.md)")),
    "topics": Field("map", hint=msg("topics by key, each with a name and a slug per language")),
    "search": Field("bool", hint=msg("true: a search page in every language (the default); false: none")),
    "contact": Field("list", hint=_CONTACT_HINT),
}
# The settings whose entries are written on the lines below them. Left empty (every entry
# commented out, or ~, '', [] or {}), an optional one is not set, as if it were left out; a
# required one (title, languages) is refused in one line, its own.
_SECTIONS = tuple(key for key, field in _TOP.items() if field.kind in ("map", "list") and not field.required)
_LANGUAGE = {
    "locale": Field("text", required=True, hint=msg("a locale such as nl_NL or en_GB")),
    "name": Field("text", required=True, hint=msg("the language's own name, such as Nederlands")),
}


def load_config(root: Path) -> SiteConfig:
    """``site.yaml``, checked."""
    return parse_config(_settings_text(root))


def _settings_text(root: Path) -> str:
    path = root / CONFIG_FILE
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise SiteError(
            msg("the file is not valid UTF-8 text"), CONFIG_FILE, line, msg("save the file as UTF-8")
        ) from None
    except OSError as exc:
        if isinstance(exc, FileNotFoundError) and not path.is_symlink():  # a link to nothing is there
            raise SiteError(
                msg("no site.yaml found"),
                CONFIG_FILE,
                hint=msg("run site-builder in the site's folder ({folder})", folder=root),
            ) from None
        raise SiteError(
            msg("cannot read the file: {reason}", reason=exc.strerror), CONFIG_FILE, hint=UNREADABLE_HINT
        ) from None


def _settings(text: str) -> YamlMap:
    """The settings as read from ``text``, every value left empty made None (see ``_emptied``),
    and the optional sections left empty taken out (see ``_SECTIONS``)."""
    # Imported when needed: PyYAML takes longer to import than a rebuild after an edit to a
    # page's text spends on most stages, and such a rebuild reads no YAML (see load_config).
    from site_builder.content.safe_yaml import read_yaml

    data = read_yaml(text, CONFIG_FILE)
    if not isinstance(data, dict):
        raise SiteError(
            msg("site.yaml must be a mapping of settings"),
            CONFIG_FILE,
            1,
            msg("write settings as 'key: value' lines, such as 'base_url: https://example.org'"),
        )
    _emptied(data)
    for key in _SECTIONS:
        if key in data and data[key] is None:
            del data[key]
    return data


def _emptied(value: object) -> None:
    """Make each value inside ``value`` that is left empty None, as ~ and nothing after the
    colon are, so that each way of leaving it empty means the same: {}, [], '' and spaces."""
    entries = (
        value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    )
    for key, item in list(entries):
        if isinstance(item, dict | list):
            _emptied(item)
        if isinstance(item, dict | list | str) and not (item.strip() if isinstance(item, str) else item):
            value[key] = None  # type: ignore[index]


def parse_config(text: str) -> SiteConfig:
    data = _settings(text)
    errors: list[SiteError] = []
    # A secret written beside the settings rather than in a deploy target: what to do instead.
    for key in [key for key in data if _CREDENTIAL_KEYS.fullmatch(key.lower())]:
        errors.append(_credentials(key, data.key_lines[key]))
        del data[key]
    values = validate(data, _TOP, CONFIG_FILE, errors)
    languages = _languages(values.get("languages"), errors)
    # Codes whose settings are wrong still count as declared, so that a bad locale is reported
    # once rather than again under title and description. None while the languages are missing
    # or one is no code (reported): every text in a language would be told again that it is in
    # none of the languages.
    declared = list(values.get("languages") or ())
    codes = declared if declared and all(_LANGUAGE_CODE.fullmatch(code) for code in declared) else None
    titles = _per_language(data, "title", values.get("title"), codes, True, errors)
    descriptions = _per_language(data, "description", values.get("description"), codes, False, errors)
    embed_hosts = _embed_hosts(data, values, errors)
    topics = _topics(values.get("topics"), codes, errors)
    contact = _contact(data, codes, errors) if "contact" in values else ()
    # Checked with the rest, so a build reports its mistakes too; kept out of SiteConfig, which
    # the build cache keys on: read by load_deploy_targets.
    _deploy_targets(values.get("deploy"), errors)
    default = values.get("default_language")
    if default is not None and codes and default not in codes:
        errors.append(
            SiteError(
                msg("default_language '{code}' is not one of the languages", code=default),
                CONFIG_FILE,
                data.key_lines["default_language"],
                msg("choose one of: {codes}", codes=", ".join(codes)),
            )
        )
    raise_if_any(errors)
    return SiteConfig(
        base_url=values["base_url"].rstrip("/"),
        default_language=default,
        languages=tuple(
            Language(code, locale, name, titles[code], descriptions.get(code, ""))
            for code, locale, name in sorted(languages)
        ),
        news_page_size=values.get("news_page_size", 10),
        missing_translation=values.get("missing_translation", "warn"),
        embed_hosts=embed_hosts,
        base_url_line=data.key_lines.get("base_url"),
        time_zone=values.get("time_zone", DEFAULT_TIME_ZONE),
        topics=topics,
        search=values.get("search", True),
        contact=contact,
    )


_TOPIC_WORDS = {
    "name": Field(
        "text",
        required=True,
        check=lambda v: _too_long(v) if v.strip() else msg("is empty"),
        hint=msg("the topic's name in that language, such as name: Regulation"),
    ),
    "slug": Field(
        "text",
        required=True,
        check=lambda v: None if SLUG.fullmatch(v) else msg("'{value}' is not URL-safe", value=v),
        hint=SLUG_HINT,
    ),
}
_TOPIC_HINT = msg("a name and a slug per language, such as 'en: {{name: Regulation, slug: regulation}}'")


def _topics(data: YamlMap | None, codes: list[str] | None, errors: list[SiteError]) -> tuple[Topic, ...]:
    """``topics``: each a key with a name and a slug in every language. Within a language no
    two topics share a slug (their pages would have one address) or a name (two that read alike)."""
    if not data:
        return ()
    topics = []
    first: dict[tuple[str, str, str], int] = {}  # (language, "name" or "slug", value) → its line
    for key, spec in data.items():
        line = data.key_lines[key]
        if not SLUG.fullmatch(str(key)):
            problem = msg("topic '{key}' is not URL-safe", key=key)
            errors.append(SiteError(problem, CONFIG_FILE, line, SLUG_HINT))
            continue
        if not isinstance(spec, dict):
            problem = msg("topics.{key} must have a name and a slug per language", key=key)
            errors.append(SiteError(problem, CONFIG_FILE, line, _TOPIC_HINT))
            continue
        words: dict[str, dict] = {}
        meant = _other_keys(spec, f"topics.{key}", codes, errors)
        for code, given in spec.items():
            where = spec.key_lines[code]
            if codes is not None and code not in codes:
                continue
            if not isinstance(given, dict):
                problem = msg("topics.{key}.{code} must have a name and a slug", key=key, code=code)
                errors.append(SiteError(problem, CONFIG_FILE, where, _TOPIC_HINT))
            else:
                words[code] = validate(given, _TOPIC_WORDS, CONFIG_FILE, errors, f"topics.{key}.{code}.")
                for field, value in words[code].items():
                    known = first.setdefault((code, field, value.casefold()), given.key_lines[field])
                    if known != given.key_lines[field]:
                        problem = msg(
                            "topics.{key}.{code}.{field} '{value}' is another topic's too (line {line})",
                            key=key,
                            code=code,
                            field=field,
                            value=value,
                            line=known,
                        )
                        hint = msg("give every topic a name and a slug of its own in each language")
                        errors.append(SiteError(problem, CONFIG_FILE, given.key_lines[field], hint))
        for code in codes or ():
            if code not in spec and code not in meant:
                problem = msg("{key} has no entry for language '{code}'", key=f"topics.{key}", code=code)
                errors.append(SiteError(problem, CONFIG_FILE, line, _TOPIC_HINT))
        if codes and all(len(words.get(code, ())) == len(_TOPIC_WORDS) for code in codes):
            names = tuple((code, words[code]["name"]) for code in sorted(codes))
            slugs = tuple((code, words[code]["slug"]) for code in sorted(codes))
            topics.append(Topic(str(key), names, slugs))
    return tuple(topics)


# --- contact addresses --------------------------------------------------------

# The fields of a contact entry that hold an address, in the order the page lists them.
_CONTACT_ADDRESSES = ("address", "email", "phone", "website", "signup")
# What browsers and mail programs take as an e-mail address (without the rarely used quoted
# forms): a name, an @ and a host name of at least two labels.
_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
# A link to another site: http(s)://, a host, a port, a path, a query and a fragment, written
# with the characters an address is made of (no spaces, quotes or markup).
_URL_CHARS = r"(?:[A-Za-z0-9._~!$&()*+,;=:@/?-]|%[0-9A-Fa-f]{2})"
_WEB_ADDRESS = re.compile(
    r"https?://(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?"
    rf"(?:/{_URL_CHARS}*)?(?:\?{_URL_CHARS}*)?(?:#{_URL_CHARS}*)?"
)
_MAILTO = re.compile(rf"mailto:(?P<address>[^?]*)(?:\?{_URL_CHARS}*)?")
# A telephone number as written to be read: digits, a leading +, spaces, hyphens, dots, brackets.
_PHONE = re.compile(r"\+?[0-9][0-9 ()./-]*[0-9]")


def _check_email(value: str) -> Message | None:
    if _EMAIL.fullmatch(value):
        return None
    return msg("'{value}' is not an e-mail address", value=value)


def _check_web_address(value: str) -> Message | None:
    if _WEB_ADDRESS.fullmatch(value):
        return None
    return msg("'{value}' is not a web address", value=value)


def _check_signup(value: str) -> Message | None:
    mailto = _MAILTO.fullmatch(value)
    if _WEB_ADDRESS.fullmatch(value) or (mailto and _EMAIL.fullmatch(mailto["address"])):
        return None
    return msg("'{value}' is neither a web address nor mailto: and an e-mail address", value=value)


def _check_phone(value: str) -> Message | None:
    if _PHONE.fullmatch(value) and sum(c.isdigit() for c in value) >= 3:
        return None
    return msg("'{value}' is not a telephone number", value=value)


_CONTACT_FIELDS = {
    "name": Field("any", required=True, hint=msg("the organisation's name, or one per language")),
    "address": Field(
        "any", hint=msg("the postal address, its lines under 'address: |', or one per language")
    ),
    "email": Field("text", check=_check_email, hint=msg("such as info@example.org")),
    # Text: +31201234567 unquoted is a number to YAML, kept as written, with its +.
    "phone": Field("text", check=_check_phone, hint=msg("such as +31 20 123 4567")),
    "website": Field(
        "text",
        check=_check_web_address,
        hint=msg("an address starting with https:// or http://, such as https://example.org/"),
    ),
    "signup": Field(
        "text",
        check=_check_signup,
        hint=msg(
            "where to sign up for news: https://…, http://… or mailto:…, such as mailto:news@example.org"
        ),
    ),
}


def _contact(
    data: YamlMap, codes: list[str] | None, errors: list[SiteError]
) -> tuple[tuple[tuple[str, str], ...], ...]:
    """``contact``: the organisations whose addresses the contact page lists, each with a name
    and its addresses. A field left empty is one not filled in; a text may be given per language."""
    written = data["contact"]
    lines = getattr(written, "item_lines", [data.key_lines["contact"]] * len(written))
    entries = []
    for index, (item, line) in enumerate(zip(written, lines, strict=True)):
        where = f"contact[{index + 1}]"
        if not isinstance(item, dict):
            problem = msg("{key} must be an organisation with a name and its addresses", key=where)
            errors.append(SiteError(problem, CONFIG_FILE, line, _CONTACT_HINT))
            continue
        # A field left empty (email:) is one not filled in; an unknown key is reported all the same.
        filled = YamlMap(
            (key, value) for key, value in item.items() if key not in _CONTACT_FIELDS or value is not None
        )
        filled.line, filled.key_lines = item.line, item.key_lines
        values = validate(filled, _CONTACT_FIELDS, CONFIG_FILE, errors, f"{where}.")
        fields: list[tuple[str, str]] = []
        for key in ("name", "address"):
            if key in values:
                fields += _contact_text(filled, key, f"{where}.{key}", codes, errors)
        fields += [
            (key, values[key].strip()) for key in _CONTACT_ADDRESSES if key in values and key != "address"
        ]
        if "name" in values:
            entries.append(tuple(sorted(fields)))
    return tuple(entries)


def _contact_text(
    item: YamlMap, key: str, where: str, codes: list[str] | None, errors: list[SiteError]
) -> list:
    """A contact entry's ``name`` or ``address``: one text for every language, as
    [(key, text)], or a text in each language, as [("key:nl", text), …]."""
    value, line = item[key], item.key_lines[key]
    if isinstance(value, str) and not shows_nothing(value):
        return [(key, value.strip())]
    if not isinstance(value, dict):
        problem = msg("{key} must be text, or a text per language", key=where)
        errors.append(
            SiteError(problem, CONFIG_FILE, line, msg("such as 'en: …' and 'nl: …' on the lines below"))
        )
        return []
    found = []
    meant = _other_keys(value, where, codes, errors)
    for code, text in value.items():
        at = value.key_lines[code]
        if codes is not None and code not in codes:
            continue
        if not isinstance(text, str) or shows_nothing(text):
            problem = msg("{key}.{code} must be text", key=where, code=code)
            errors.append(SiteError(problem, CONFIG_FILE, at, _text_per_language_hint(key, code, text)))
        else:
            found.append((f"{key}:{code}", text.strip()))
    for code in codes or ():
        if code not in value and code not in meant:
            problem = msg("{key} has no entry for language '{code}'", key=where, code=code)
            hint = msg("add '{code}: …' under {key}:", code=code, key=key)
            errors.append(SiteError(problem, CONFIG_FILE, line, hint))
    return found


# Files among the zones that are no place's zone: copies kept for other programs, the zone of
# no place (Factory), and the machine's own (localtime), which would make the day a page comes
# due depend on where the site is built: a CI runner's is mostly UTC.
_NOT_A_PLACE = re.compile(r"posixrules|Factory|(?:posix|right)/.*")


def _check_time_zone(name: str) -> Message | None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if name == "localtime":
        return msg("'{name}' is the zone of the machine that builds the site, not of a place", name=name)
    if not _NOT_A_PLACE.fullmatch(name):
        try:
            ZoneInfo(name)
            return None
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return msg("'{name}' is not a known time zone", name=name)


def _languages(data: YamlMap | None, errors: list[SiteError]) -> list[tuple[str, str, str]]:
    if data is None:
        return []
    from babel import Locale, UnknownLocaleError  # here: a build whose site.yaml is known needs none

    result = []
    for code, spec in data.items():
        line = data.key_lines[code]
        spoken = _locale_languages(code) if _LANGUAGE_CODE.fullmatch(code) else None
        if spoken is None:
            errors.append(
                SiteError(
                    msg("'{code}' is not a language code", code=code),
                    CONFIG_FILE,
                    line,
                    msg("such as nl or en"),
                )
            )
            continue
        if not isinstance(spec, dict):
            errors.append(
                SiteError(
                    msg("languages.{code} must have locale and name", code=code),
                    CONFIG_FILE,
                    line,
                    msg(
                        "write them on indented lines below it, "
                        "such as 'locale: nl_NL' and 'name: Nederlands'"
                    ),
                )
            )
            continue
        values = validate(spec, _LANGUAGE, CONFIG_FILE, errors, f"languages.{code}.")
        if "locale" not in values or "name" not in values:
            continue
        try:
            locale = str(Locale.parse(values["locale"]))
        except (ValueError, UnknownLocaleError):
            errors.append(
                SiteError(
                    msg("unknown locale '{locale}'", locale=values["locale"]),
                    CONFIG_FILE,
                    spec.key_lines["locale"],
                    msg("use a locale such as nl_NL or en_GB"),
                )
            )
            continue
        if spoken and Locale.parse(locale).language not in spoken:
            # Dutch pages with English dates and numbers, most often a locale copied from the other language.
            problem = msg(
                "languages.{code}.locale '{locale}' is a locale of another language", code=code, locale=locale
            )
            hint = msg("a locale of {code}, such as {locale}", code=code, locale=_likely_locale(code, spoken))
            errors.append(SiteError(problem, CONFIG_FILE, spec.key_lines["locale"], hint))
            continue
        result.append((code, locale, values["name"]))
    return result


# Codes of no language: undetermined, uncoded, several, no linguistic content.
_NO_LANGUAGE = ("und", "mis", "mul", "zxx")


def _likely_locale(code: str, spoken: set[str]) -> str:
    """The locale most likely meant for the language ``code``: en-gb → en_GB, nl → nl_NL."""
    from babel import Locale, UnknownLocaleError
    from babel.core import get_global

    try:
        written = Locale.parse(code, sep="-")
    except (ValueError, UnknownLocaleError):
        written = None
    if written is not None and written.territory:
        return f"{written.language}_{written.territory}"
    likely = get_global("likely_subtags").get(min(spoken), min(spoken)).split("_")
    return f"{likely[0]}_{likely[-1]}"


def _locale_languages(code: str) -> set[str] | None:
    """The languages a locale of the language ``code`` may be of, in Babel's codes: the code's
    own and what Babel reads it as (no: nb too, iw: he); none where Babel has no locale of it
    (li, Limburgish: any may stand in); None if ``code`` names no language."""
    from babel import Locale, UnknownLocaleError
    from babel.core import LOCALE_ALIASES

    language = code.partition("-")[0]
    if language in _NO_LANGUAGE:
        return None
    found = set()
    for name in (language, LOCALE_ALIASES.get(language)):
        try:
            found.add(Locale.parse(name).language)
        except (TypeError, ValueError, UnknownLocaleError):
            pass  # no locale of it, or no alias
    if found:
        return found | {language}
    return set() if language in Locale("en").languages else None


def _too_long(title: str) -> Message | None:
    """Whether a title (the site's, a topic's, which is its pages' title) is longer than a
    page's may be: each is shown whole on every page, in every card and feed."""
    if len(title) <= MAX_TITLE:
        return None
    return msg("is {length:,} characters long; the limit is {limit:,}", length=len(title), limit=MAX_TITLE)


def _other_keys(values: YamlMap, where: str, codes: list[str] | None, errors: list[SiteError]) -> set[str]:
    """Report each key of ``values``, an entry per language, that is none of the languages
    ``codes``, on its line. One written where a language has no entry is most likely that
    language mistyped (nk for nl): its hint names it, and the language is returned among those
    meant, so that its missing entry is not told again."""
    if codes is None:
        return set()
    others = [key for key in values if key not in codes]
    meant = _languages_meant(others, codes, values.keys())
    for key in others:
        language = meant.get(key)
        hint = did_you_mean(language) if language is not None else _one_of_the_languages(codes)
        problem = msg("{key}.{code}: '{code}' is not one of the languages", key=where, code=key)
        errors.append(SiteError(problem, CONFIG_FILE, values.key_lines[key], hint))
    return set(meant.values())


def _languages_meant(keys: list[str], codes: list[str], given: Collection[str]) -> dict[str, str]:
    """Each of ``keys``, none of the languages ``codes``, with the language it most likely stands
    for among those not ``given`` an entry, each meant by one key at most: the likeliest pairs
    first, whatever the keys' order, so that ne and ln are en and nl, english and dutch en and nl.
    Any likeness will do, or none: two-letter codes are too short for a typo to leave them alike.
    A key that is a language given an entry, written otherwise (NL beside nl), stands for none."""
    import difflib  # for a mistake only

    def likeness(pair: tuple[str, str]) -> tuple[bool, float, int]:
        written, code = pair
        return (
            sorted(written) == sorted(code),  # the same letters: ne for en
            difflib.SequenceMatcher(None, written, code).ratio(),
            len(os.path.commonprefix([written, code])),  # english for en
        )

    # In lower case and with look-alikes such as full-width letters as their letters: NL is nl.
    plain = {key: unicodedata.normalize("NFKC", key).casefold() for key in keys}
    missing = [code for code in codes if code not in given]
    pairs = sorted(
        ((key, code) for key in keys if plain[key] not in codes or plain[key] in missing for code in missing),
        key=lambda pair: likeness((plain[pair[0]], pair[1])),
        reverse=True,
    )
    meant: dict[str, str] = {}
    for key, code in pairs:
        if key not in meant and code not in meant.values():
            meant[key] = code
    return meant


def _one_of_the_languages(codes: list[str]) -> Message:
    return msg("one of: {codes}", codes=", ".join(codes))


def _text_per_language_hint(key: str, code: str, value: object) -> Message:
    """How to write ``key``'s text in the language ``code``, given that YAML read ``value``."""
    found = text_hint(value)
    if found is not None:
        return found
    if key == "title":
        return msg("the site's title in that language, such as {code}: Life Sciences Amsterdam", code=code)
    if key == "description":
        return msg(
            "a sentence about the site in that language, such as {code}: Where science meets care", code=code
        )
    if key == "address":
        return msg("the postal address in that language, its lines below '{code}: |'", code=code)
    return msg(
        "the organisation's name in that language, such as {code}: Amsterdam Economic Board", code=code
    )


def _per_language(data, key, values, codes, required, errors) -> dict[str, str]:
    if values is None:
        return {}
    result = {}
    meant = _other_keys(values, key, codes, errors)
    for code, text in values.items():
        line = values.key_lines[code]
        if codes is not None and code not in codes:
            continue
        if not isinstance(text, str) or shows_nothing(text):
            problem = msg("{key}.{code} must be text", key=key, code=code)
            errors.append(SiteError(problem, CONFIG_FILE, line, _text_per_language_hint(key, code, text)))
        elif key == "title" and len(text) > MAX_TITLE:
            problem = msg("{key} {problem}", key=f"{key}.{code}", problem=_too_long(text))
            hint = msg("a title is one line; put the rest in description:")
            errors.append(SiteError(problem, CONFIG_FILE, line, hint))
        else:
            result[code] = text
    if required:
        for code in codes or ():
            if code not in values and code not in meant:
                errors.append(
                    SiteError(
                        msg("{key} has no entry for language '{code}'", key=key, code=code),
                        CONFIG_FILE,
                        data.key_lines[key],
                        msg("add '{code}: …' under {key}:", code=code, key=key),
                    )
                )
    return result


# --- deploy targets ---------------------------------------------------------

DEFAULT_MAX_DELETES = 256  # pages a deploy deletes without --force
MAX_DELETES = 1_000_000  # more pages than any site has: a number beyond is a slip
# Keys that would put a secret into site.yaml, which is committed: refused in the deploy targets.
_CREDENTIAL_KEYS = re.compile(
    r"(aws_)?(access_key(_id)?|secret(_access)?(_key)?|session_token|token|password|credentials?)"
)
_CREDENTIALS_HINT = msg(
    "credentials come from the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) or the "
    "AWS configuration (AWS_PROFILE, ~/.aws/credentials); take this line out of site.yaml"
)
# S3's rule: no two dots together, and nothing written as an IPv4 address (the stores refuse both).
_BUCKET = re.compile(r"(?!.*\.\.)(?![0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_REGION = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")  # eu-west-1; other stores: us-east-1, auto, …
_PREFIX = re.compile(r"([A-Za-z0-9._~-]+/)*[A-Za-z0-9._~-]*")


@dataclass(frozen=True, slots=True)
class DeployTarget:
    """One ``deploy:`` target of site.yaml: where ``site-builder deploy`` publishes the site."""

    name: str
    bucket: str
    region: str | None = None  # None: the AWS configuration's (AWS_REGION, ~/.aws/config)
    endpoint: str | None = None  # None: Amazon S3 itself; else any S3-compatible store
    prefix: str = ""  # "" or a folder ending in "/", inside which the site's files go
    cloudfront_distribution: str | None = None  # invalidated after a deploy when given
    max_deletes: int = DEFAULT_MAX_DELETES


_TARGET = {
    "bucket": Field(
        "text",
        required=True,
        check=lambda v: None if _BUCKET.fullmatch(v) else msg("'{value}' is not a bucket name", value=v),
        hint=msg(
            "3 to 63 lower-case letters, digits, dots and hyphens; no two dots together, and no IP address"
        ),
    ),
    "region": Field(
        "text",
        check=lambda v: None if _REGION.fullmatch(v) else msg("'{value}' is not a region", value=v),
        hint=msg("such as eu-west-1"),
    ),
    "endpoint": Field(
        "text", check=lambda v: _check_url(v), hint=msg("such as https://s3.eu-west-1.amazonaws.com")
    ),
    "prefix": Field(
        "text",
        check=lambda v: (
            None
            if _PREFIX.fullmatch(v.strip("/")) and not {".", ".."} & set(v.strip("/").split("/"))
            else msg("'{value}' is not a folder name", value=v)
        ),
        hint=msg("such as site/, or leave it out for the bucket's root"),
    ),
    "cloudfront_distribution": Field(
        "text",
        check=lambda v: (
            None
            if re.fullmatch(r"[A-Z0-9]{8,20}", v)
            else msg("'{value}' is not a CloudFront distribution ID", value=v)
        ),
        hint=msg("such as E2QWRUHAPOMQZL"),
    ),
    "max_deletes": Field(
        "int",
        check=between(0, MAX_DELETES),
        hint=msg(
            "the pages a deploy may delete without --force, from 0 to {most:,} (default {default})",
            most=MAX_DELETES,
            default=DEFAULT_MAX_DELETES,
        ),
    ),
}


def _deploy_targets(data: YamlMap | None, errors: list[SiteError]) -> tuple[DeployTarget, ...]:
    if not data:
        return ()
    targets = []
    for name, spec in data.items():
        line = data.key_lines[name]
        if _CREDENTIAL_KEYS.fullmatch(str(name).lower()):
            errors.append(_credentials(f"deploy.{name}", line))
            continue
        if not isinstance(spec, dict):
            errors.append(
                SiteError(
                    msg("deploy.{name} must be a mapping with at least a bucket", name=name),
                    CONFIG_FILE,
                    line,
                    msg("bucket: NAME on the next line, indented"),
                )
            )
            continue
        refused = [key for key in spec if _CREDENTIAL_KEYS.fullmatch(str(key).lower())]
        errors.extend(_credentials(f"deploy.{name}.{key}", spec.key_lines[key]) for key in refused)
        endpoint = spec.get("endpoint")
        if isinstance(endpoint, str) and "@" in endpoint.partition("://")[2].partition("/")[0]:
            errors.append(_credentials(f"deploy.{name}.endpoint", spec.key_lines["endpoint"]))
            continue
        if refused:
            continue
        values = validate(spec, _TARGET, CONFIG_FILE, errors, f"deploy.{name}.")
        if "bucket" not in values:
            continue
        prefix = values.get("prefix", "").strip("/")
        targets.append(
            DeployTarget(
                name=str(name),
                bucket=values["bucket"],
                region=values.get("region"),
                endpoint=values.get("endpoint", "").rstrip("/") or None,
                prefix=prefix + "/" if prefix else "",
                cloudfront_distribution=values.get("cloudfront_distribution"),
                max_deletes=values.get("max_deletes", DEFAULT_MAX_DELETES),
            )
        )
    return tuple(targets)


def _credentials(where: str, line: int) -> SiteError:
    return SiteError(
        msg("{key}: credentials do not belong in site.yaml", key=where), CONFIG_FILE, line, _CREDENTIALS_HINT
    )


def load_deploy_targets(root: Path) -> tuple[DeployTarget, ...]:
    """The ``deploy:`` targets of site.yaml, in the order written; every problem of site.yaml
    is reported as a build would."""
    text = _settings_text(root)
    parse_config(text)
    data = _settings(text)
    errors: list[SiteError] = []
    targets = _deploy_targets(data.get("deploy"), errors)
    raise_if_any(errors)
    return targets
