"""``site.yaml`` → ``SiteConfig``.

Unknown keys and wrong types are errors naming the line; every problem is
reported in one go.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

from site_builder.content.schema import Field, YamlMap, validate
from site_builder.errors import SiteError, raise_if_any
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

    def today(self, now: float) -> datetime.date:
        """The day it is at ``now`` (seconds since 1970) where the site is published: not the
        machine's zone, which on a CI runner is mostly UTC, a day off for an hour or two."""
        from zoneinfo import ZoneInfo

        return datetime.datetime.fromtimestamp(now, ZoneInfo(self.time_zone)).date()

    def start_of(self, day: datetime.date) -> float:
        """The moment (seconds since 1970) ``day`` begins where the site is published."""
        from zoneinfo import ZoneInfo

        return datetime.datetime.combine(day, datetime.time(), ZoneInfo(self.time_zone)).timestamp()

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
_BASE_URL = re.compile(
    r"https?://(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?"
    r"(?:/(?:[A-Za-z0-9._~+,=:@-]|%[0-9A-Fa-f]{2})*)*"
)
_QUOTES = "\"'`\u2018\u2019\u201c\u201d\u00ab\u00bb"


def _check_url(value: str) -> str | None:
    if _BASE_URL.fullmatch(value):
        return None
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in value)
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in value):
        return f"'{shown}' is not a web address: it contains a control character"
    if any(c.isspace() for c in value):
        return f"'{shown}' is not a web address: it contains a space"
    if any(c in _QUOTES for c in value):
        return f"'{shown}' is not a web address: it contains a quote"
    if "<" in value or ">" in value:
        return f"'{shown}' is not a web address: it contains markup"
    return f"'{shown}' is not a web address"


def check_base_url(value: str) -> str | None:
    """Public so the command line can check ``--base-url`` the same way."""
    return _check_url(value)


def _plain_http(name: str, value: str, path: str | None = None, line: int | None = None) -> SiteError:
    # Accepted for a local test; published, its pages would name http:// addresses while
    # the site's headers send Strict-Transport-Security, which tells browsers to use https://.
    return SiteError(
        f"{name} '{value}' uses http://, fit for a local test only: the site sends HSTS, "
        "which makes browsers use https://",
        path,
        line,
        "publish with an https:// address",
    )


# A host name as browsers and the CSP's frame-src compare it: lower-case ASCII labels, at least two.
_HOST = re.compile(
    r"(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
)
_HOST_HINT = "a host name alone, such as www.youtube-nocookie.com, without https:// or a path"


def _embed_hosts(data: YamlMap, values: dict, errors: list[SiteError]) -> tuple[str, ...]:
    """``embed_hosts``, each a host name; a mistake is reported on its own line."""
    written = data.get("embed_hosts")
    if "embed_hosts" not in values or not isinstance(written, list):
        return ()
    lines = getattr(written, "item_lines", [data.key_lines["embed_hosts"]] * len(written))
    hosts: list[str] = []
    for index, (host, line) in enumerate(zip(written, lines, strict=True)):
        text = host.strip().lower() if isinstance(host, str) else ""
        if not _HOST.fullmatch(text):
            errors.append(
                SiteError(
                    f"embed_hosts[{index + 1}] '{host}' is not a host name", CONFIG_FILE, line, _HOST_HINT
                )
            )
        elif text not in hosts:
            hosts.append(text)
    return tuple(sorted(hosts))


_TOP = {
    "base_url": Field("text", required=True, check=_check_url, hint="such as https://example.org"),
    "default_language": Field("text", required=True),
    "news_page_size": Field(
        "int", check=lambda n: None if n >= 1 else "must be at least 1", hint="such as 10"
    ),
    "title": Field("map", required=True, hint="one title per language code"),
    "description": Field("map"),
    "languages": Field("map", required=True, hint="language codes with locale and name"),
    "missing_translation": Field(
        "text",
        check=lambda v: None if v in MISSING_TRANSLATION_POLICIES else f"'{v}' is not warn or error",
        hint="warn: report and build; error: stop the build",
    ),
    "embed_hosts": Field("list", hint="a list of host names, such as [www.youtube-nocookie.com]"),
    "time_zone": Field(
        "text",
        check=lambda v: _check_time_zone(v),
        hint="a time zone name such as Europe/Amsterdam: scheduled pages come due at midnight there",
    ),
}
_LANGUAGE = {
    "locale": Field("text", required=True, hint="a locale such as nl_NL or en_GB"),
    "name": Field("text", required=True, hint="the language's own name, such as Nederlands"),
}


def load_config(root: Path) -> SiteConfig:
    """``site.yaml``, checked."""
    path = root / CONFIG_FILE
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SiteError(
            "no site.yaml found", CONFIG_FILE, hint=f"run site-builder in the site's folder ({root})"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SiteError(f"cannot read the file: {exc}", CONFIG_FILE) from None
    return parse_config(text)


def parse_config(text: str) -> SiteConfig:
    # Imported when needed: PyYAML takes longer to import than a rebuild after an edit to a
    # page's text spends on most stages, and such a rebuild reads no YAML (see load_config).
    from site_builder.content.safe_yaml import read_yaml

    data = read_yaml(text, CONFIG_FILE)
    if not isinstance(data, dict):
        raise SiteError("site.yaml must be a mapping of settings", CONFIG_FILE, 1)
    errors: list[SiteError] = []
    values = validate(data, _TOP, CONFIG_FILE, errors)
    languages = _languages(values.get("languages"), errors)
    # Codes whose settings are wrong still count as declared, so that a bad
    # locale is reported once rather than again under title and description.
    codes = [code for code in values.get("languages") or () if _LANGUAGE_CODE.fullmatch(code)]
    titles = _per_language(data, "title", values.get("title"), codes, True, errors)
    descriptions = _per_language(data, "description", values.get("description"), codes, False, errors)
    embed_hosts = _embed_hosts(data, values, errors)
    default = values.get("default_language")
    if default is not None and codes and default not in codes:
        errors.append(
            SiteError(
                f"default_language '{default}' is not one of the languages",
                CONFIG_FILE,
                data.key_lines["default_language"],
                "choose one of: " + ", ".join(codes),
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
    )


def _check_time_zone(name: str) -> str | None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f"'{name}' is not a known time zone"
    return None


def _languages(data: YamlMap | None, errors: list[SiteError]) -> list[tuple[str, str, str]]:
    if data is None:
        return []
    from babel import Locale, UnknownLocaleError  # here: a build whose site.yaml is known needs none

    result = []
    for code, spec in data.items():
        line = data.key_lines[code]
        if not _LANGUAGE_CODE.fullmatch(code):
            errors.append(
                SiteError(f"'{code}' is not a language code", CONFIG_FILE, line, "such as nl or en")
            )
            continue
        if not isinstance(spec, dict):
            errors.append(SiteError(f"languages.{code} must have locale and name", CONFIG_FILE, line))
            continue
        values = validate(spec, _LANGUAGE, CONFIG_FILE, errors, f"languages.{code}.")
        if "locale" not in values or "name" not in values:
            continue
        try:
            locale = str(Locale.parse(values["locale"]))
        except (ValueError, UnknownLocaleError):
            errors.append(
                SiteError(
                    f"unknown locale '{values['locale']}'",
                    CONFIG_FILE,
                    spec.key_lines["locale"],
                    "use a locale such as nl_NL or en_GB",
                )
            )
            continue
        result.append((code, locale, values["name"]))
    return result


def _per_language(data, key, values, codes, required, errors) -> dict[str, str]:
    if values is None:
        return {}
    result = {}
    for code, text in values.items():
        line = values.key_lines[code]
        if code not in codes:
            errors.append(SiteError(f"{key}.{code}: '{code}' is not one of the languages", CONFIG_FILE, line))
        elif not isinstance(text, str) or not text.strip():
            errors.append(SiteError(f"{key}.{code} must be text", CONFIG_FILE, line))
        else:
            result[code] = text
    if required:
        for code in codes:
            if code not in values:
                errors.append(
                    SiteError(
                        f"{key} has no entry for language '{code}'",
                        CONFIG_FILE,
                        data.key_lines[key],
                        f"add '{code}: …' under {key}:",
                    )
                )
    return result
