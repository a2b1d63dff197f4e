"""``site.yaml`` → ``SiteConfig``.

Unknown keys and wrong types are errors naming the line; every problem is
reported in one go.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from site_builder.content.schema import Field, YamlMap, validate
from site_builder.errors import SiteError, raise_if_any
from site_builder.project import CONFIG_FILE

MISSING_TRANSLATION_POLICIES = ("warn", "error")
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

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(language.code for language in self.languages)

    def language(self, code: str) -> Language:
        for language in self.languages:
            if language.code == code:
                return language
        raise KeyError(code)

    def with_base_url(self, base_url: str) -> SiteConfig:
        return replace(self, base_url=base_url.rstrip("/"))


def _check_url(value: str) -> str | None:
    if not re.fullmatch(r"https?://[^\s/]+(/[^\s]*)?", value):
        return f"'{value}' is not a web address"
    return None


def check_base_url(value: str) -> str | None:
    """Public so the command line can check ``--base-url`` the same way."""
    return _check_url(value)


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
    )


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
