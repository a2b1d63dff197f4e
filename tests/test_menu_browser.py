"""The main menu in Chromium: on a phone a button (a details/summary disclosure) that the
keyboard opens and that says whether it is open; on a wide screen the menu itself."""

from __future__ import annotations

import pytest
from conftest import serving

WIDE, PHONE = (1280, 900), (360, 740)
PAGES = ("/en/", "/nl/", "/en/news/")


@pytest.fixture(scope="module")
def origin(built):
    with serving(built) as origin:
        yield origin


@pytest.fixture
def window(browser):
    def size(dimensions: tuple[int, int]):
        browser.set_window_size(*dimensions)
        return browser

    yield size
    browser.set_window_size(*WIDE)


def _menu(browser):
    from selenium.webdriver.common.by import By

    button = browser.find_element(By.CSS_SELECTOR, ".main-nav summary")
    links = browser.find_elements(By.CSS_SELECTOR, ".main-nav li a")
    return button, links


def _shown(browser, element) -> bool:
    """Rendered and visible, as the browser itself judges (``checkVisibility``): Selenium's own
    guess counts everything in a closed <details> as hidden, whatever the style says."""
    return browser.execute_script(
        "const r = arguments[0].getBoundingClientRect();"
        "return arguments[0].checkVisibility({visibilityProperty: true}) && r.width > 0 && r.height > 0",
        element,
    )


def _expanded(browser) -> bool | None:
    """The menu button's "expanded" state in Chromium's accessibility tree (None: not found)."""
    tree = browser.execute_cdp_cmd("Accessibility.getFullAXTree", {})["nodes"]
    for node in tree:
        if (
            node.get("name", {}).get("value") == "Menu"
            and node.get("role", {}).get("value") == "DisclosureTriangle"
        ):
            for prop in node.get("properties", []):
                if prop["name"] == "expanded":
                    return prop["value"]["value"]
            return False
    return None


def _is_open(browser) -> bool:
    return browser.execute_script("return document.querySelector('.main-nav details').open")


@pytest.mark.parametrize("path", PAGES)
def test_on_a_phone_the_keyboard_opens_and_closes_the_menu(browser, window, origin, path):
    from selenium.webdriver.common.keys import Keys

    browser = window(PHONE)
    browser.get(origin + path)
    button, links = _menu(browser)
    assert _shown(browser, button) and button.text == "Menu"
    assert links and not any(_shown(browser, link) for link in links)
    assert not _is_open(browser)
    # Reached with Tab like any control, after the skip link, the brand and the languages.
    body = browser.switch_to.active_element
    for _ in range(10):
        body.send_keys(Keys.TAB)
        body = browser.switch_to.active_element
        if body == button:
            break
    assert browser.switch_to.active_element == button
    button.send_keys(Keys.ENTER)
    assert _is_open(browser) and all(_shown(browser, link) for link in links)
    # The accessibility tree says so: the button is a disclosure, expanded or collapsed.
    assert _expanded(browser) is True
    button.send_keys(Keys.SPACE)
    assert not _is_open(browser) and not any(_shown(browser, link) for link in links)
    assert _expanded(browser) is False


def test_on_a_phone_the_header_takes_little_room(browser, window, origin):
    browser = window(PHONE)
    browser.get(origin + "/en/")
    # The menu's button is one row of 44 pixels; the menu itself, a block of three rows
    # above the content before, opens on demand.
    nav = browser.execute_script("return document.querySelector('.main-nav').getBoundingClientRect().height")
    top = browser.execute_script("return document.querySelector('main').getBoundingClientRect().top")
    assert nav <= 48 and top < 160, (nav, top)
    assert browser.execute_script("return document.documentElement.scrollWidth") <= PHONE[0]


@pytest.mark.parametrize("path", PAGES)
def test_on_a_wide_screen_the_menu_is_shown_without_a_button(browser, window, origin, path):
    browser = window(WIDE)
    browser.get(origin + path)
    button, links = _menu(browser)
    assert not _shown(browser, button)
    assert links and all(_shown(browser, link) for link in links)
    # In one row under the header, each reached with Tab.
    tops = {round(link.rect["y"]) for link in links}
    assert len(tops) == 1
    from selenium.webdriver.common.keys import Keys

    focused = browser.switch_to.active_element
    reached = []
    for _ in range(15):
        focused.send_keys(Keys.TAB)
        focused = browser.switch_to.active_element
        reached.append(focused)
    assert all(link in reached for link in links)


def test_the_menu_needs_no_script(built):
    """The disclosure is the browser's own: no script on the page opens it."""
    page = (built / "en/index.html").read_text("utf-8")
    assert "<details class=menu>" in page or '<details class="menu">' in page
    assert "<script src" not in page
