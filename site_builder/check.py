"""Findings about a built site: links that lead nowhere, pages without a translation.

Pure: returns findings as values; the caller decides what stops a build
(broken links always do; missing translations are reported by ``check``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from site_builder.errors import SiteError
from site_builder.markup import RenderedPage
from site_builder.model import Site


@dataclass(frozen=True, slots=True)
class Findings:
    broken_links: tuple[SiteError, ...]
    missing_translations: tuple[SiteError, ...]

    @property
    def all(self) -> tuple[SiteError, ...]:
        return self.broken_links + self.missing_translations


def find_problems(
    site: Site, bodies: Mapping[tuple[str, str], RenderedPage], output_paths: Iterable[str]
) -> Findings:
    return Findings(
        tuple(sorted(broken_links(site, bodies, output_paths), key=SiteError.sort_key)),
        tuple(sorted(missing_translations(site), key=SiteError.sort_key)),
    )


def broken_links(site, bodies, output_paths) -> list[SiteError]:
    files = set(output_paths)
    urls = site.urls
    problems = []
    for page in site.pages:
        rendered = bodies[(page.lang, page.url)]
        for body in (rendered.body, *rendered.swot.values()):
            for link in body.links:
                if link.target is not None:
                    path = link.target.split("#", 1)[0].split("?", 1)[0]
                    if path in urls or path.lstrip("/") in files:
                        continue
                problems.append(
                    SiteError(
                        f"the link '{link.href}' leads to no page",
                        page.path,
                        link.line,
                        _link_hint(link.href),
                    )
                )
    return problems


def _link_hint(href: str) -> str:
    if href.split("#", 1)[0].endswith(".md"):
        return "link to a page's file relative to this file, such as ../swot.md"
    return "check the address; pages are linked best by their .md file"


def missing_translations(site: Site) -> list[SiteError]:
    problems = []
    for page in site.pages:
        for language in site.config.languages:
            if language.code != page.lang and site.translation(page, language.code) is None:
                expected = f"content/{language.code}/{page.source.rel.as_posix()}"
                problems.append(
                    SiteError(
                        f"no {language.name} translation",
                        page.path,
                        hint=f"add {expected}, or give both pages the same translation_key",
                    )
                )
    return problems
