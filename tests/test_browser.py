"""The built site as a reader meets it, in a real headless Chromium, served on loopback.

Without Chromium these tests skip with a message, except in CI (CI=true), where they fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from site_tools import project
from site_tools.loopback import axe_script, search, serve

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-results" / "screenshots"
# Every page of the navigation, as its address inside a language's folder.
PAGES = [
    source.removesuffix("index.md") if source.endswith("index.md") else source[:-3] + "/"
    for source in project.nav_pages()
]
# Program pages (not in the navigation): one with figures and the longest one.
PROGRAM_PAGES = ["programs/weight_init/", "programs/pipeline/"]
LANGUAGES = {  # language -> its folder in the site
    language: "" if language == project.default_language() else f"{language}/"
    for language in project.LANGUAGES
}


@pytest.fixture(scope="module")
def base_url(built_site: Path):
    with serve(built_site) as url:
        yield url


@pytest.fixture(scope="module", autouse=True)
def axe(require) -> None:
    require(axe_script().is_file(), "axe-core is missing: run 'npm ci' in the project")


# Every layout shift of the page's life, with what moved (Chromium's Layout Instability API).
LAYOUT_SHIFTS = """window.__shifts = [];
new PerformanceObserver(list => { for (const shift of list.getEntries()) window.__shifts.push([
  shift.value, `${shift.value.toFixed(4)} at ${Math.round(shift.startTime)} ms: ` + shift.sources
    .map(source => source.node ? `${source.node.nodeName}.${source.node.className}` : '?').join(', ')
]) }).observe({type: 'layout-shift', buffered: true});"""
# Below this passes. A few loads in a hundred, Chromium paints a page it has only partly parsed,
# and what is parsed next nudges what is painted: the header's search box pushes the language
# selector aside (0.0007), or a formula's last part widens it (0.0004). What moves the content
# is far above it: the table wrapper that Material's script added moved the recipe page by 0.025.
LAYOUT_SHIFT_LIMIT = 0.001


class Visit:
    """One page load, with everything that went wrong on the way."""

    def __init__(
        self,
        browser,
        base_url: str,
        path: str,
        width: int = 1280,
        scheme: str = "light",
        scripts: tuple[str, ...] = (),  # run in the page before its own, like LAYOUT_SHIFTS
    ) -> None:
        self.context = browser.new_context(
            viewport={"width": width, "height": 900}, color_scheme=scheme
        )
        self.page = self.context.new_page()
        self.foreign: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        origin = "/".join(base_url.split("/", 3)[:3])
        published = project.settings()["site_url"]  # absolute links (hreflang) point there

        def route(route):
            url = route.request.url
            if url.startswith(origin):
                route.continue_()
            elif url.startswith(published):  # the site at its own address: same origin there
                served = route.fetch(url=base_url + url[len(published) :])
                headers = {
                    name: value
                    for name, value in served.headers.items()
                    if name.lower() not in ("content-encoding", "content-length")
                }
                route.fulfill(
                    response=served, headers={**headers, "access-control-allow-origin": "*"}
                )
            else:
                self.foreign.append(url)
                route.abort()

        self.page.route("**/*", route)
        for script in (LAYOUT_SHIFTS, *scripts):
            self.page.add_init_script(script)
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        self.page.on(
            "response", lambda r: r.status >= 400 and self.failed.append(f"{r.url} {r.status}")
        )
        self.page.goto(base_url + path, wait_until="networkidle")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser, base_url):
    opened = []

    def open_page(path: str, **kwargs) -> Visit:
        opened.append(Visit(browser, base_url, path, **kwargs))
        return opened[-1]

    yield open_page
    for page in opened:
        page.close()


@pytest.mark.parametrize("path", PAGES + PROGRAM_PAGES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_page(visit, base_url: str, language: str, path: str) -> None:
    """One load of the page, every check on it; the failure lists every problem found."""
    seen = visit(LANGUAGES[language] + path)
    page = seen.page
    problems = []
    if seen.foreign:
        problems.append(f"requests to other hosts: {seen.foreign}")
    if seen.failed:
        problems.append(f"failed requests: {seen.failed}")
    if seen.errors:
        problems.append(f"console errors: {seen.errors}")
    shifts = page.evaluate("window.__shifts")
    if sum(value for value, _ in shifts) >= LAYOUT_SHIFT_LIMIT:
        problems.append(f"the page moved while loading: {[shift for _, shift in shifts]}")
    if page.evaluate("document.documentElement.lang") != language:
        problems.append(f"<html lang> is not {language}")
    # Open the collapsed solutions, which render nothing while closed, so every check sees them.
    page.evaluate("document.querySelectorAll('article details').forEach(d => { d.open = true })")
    broken = page.evaluate(  # a hidden lazy image (the other scheme's photo) is not fetched
        """Array.from(document.images).filter(i => i.offsetParent !== null)
             .filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"""
    )
    if broken:
        problems.append(f"images that did not load: {broken}")
    unrendered = page.evaluate("""Array.from(document.querySelectorAll('math')).filter(m => {
        const box = m.getBoundingClientRect();
        return !(box.width > 0 && box.height > 0 && getComputedStyle(m).display.includes('math'));
    }).map(m => m.getAttribute('alttext'))""")
    if unrendered:
        problems.append(f"formulas not laid out as MathML: {unrendered}")
    without_copy = page.evaluate("""Array.from(document.querySelectorAll('.md-content .highlight pre'))
        .filter(pre => !pre.querySelector('[data-md-type=copy], .md-clipboard')).length""")
    if without_copy:
        problems.append(f"{without_copy} code blocks have no copy button")

    other = next(lang for lang in LANGUAGES if lang != language)
    link = page.locator(f'.md-select a[hreflang="{other}"]')
    if link.count() != 1:
        problems.append("no language switcher")
    else:
        target = page.evaluate("(a) => a.href", link.element_handle())
        if target != base_url + LANGUAGES[other] + path:
            problems.append(f"the language switch goes to {target}, not to this page in {other}")

    page.add_script_tag(path=str(axe_script()))
    violations = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']}))
        .violations.filter(v => ['serious', 'critical'].includes(v.impact))
        .map(v => `${v.id} (${v.impact}): ${v.help} -> ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`)""")
    problems += [f"accessibility: {violation}" for violation in violations]
    assert not problems, f"{LANGUAGES[language] + path}:\n" + "\n".join(problems)


SEARCHES = [
    ("zh", "梯度下降", "zh/models/linear-regression/"),
    ("zh", "线性回归", "zh/models/linear-regression/"),
    ("zh", "训练五步", "zh/recipe/"),
    ("zh", "初始化", "zh/init/weight-init/"),
    ("zh", "容器", "zh/blocks/containers/"),
    ("en", "gradient descent", "models/linear-regression/"),
    ("en", "training recipe", "recipe/"),
    ("en", "initialization", "init/weight-init/"),
    ("en", "convolution", "layers/convolution/"),
    ("zh", "卷积", "zh/layers/convolution/"),
    ("zh", "池化", "zh/layers/pooling/"),
    ("zh", "逻辑回归", "zh/models/logistic-regression/"),
]


@pytest.mark.parametrize(("language", "query", "expected"), SEARCHES)
def test_search_finds_the_chapter(
    visit, base_url: str, language: str, query: str, expected: str
) -> None:
    pages = search(visit(LANGUAGES[language]).page, query)
    assert base_url + expected in pages[:3], f"'{query}' found {pages[:5]}"


# The first display ∑ of the page against the tallest one-letter <mi> of its formula, and every
# element of a display formula that sticks out of its box (which clips it: overflow-y hidden).
DISPLAY_SUM = """() => {
  const sum = [...document.querySelectorAll('.math-display mo')]
    .find(mo => mo.textContent.trim() === '\u2211');
  const height = element => element.getBoundingClientRect().height;
  const letters = [...sum.closest('math').querySelectorAll('mi')]
    .filter(mi => mi.textContent.trim().length === 1);
  const outside = [...document.querySelectorAll('.math-display')].flatMap(display => {
    const box = display.getBoundingClientRect();
    return [...display.querySelectorAll('*')].filter(element => {
      const inner = element.getBoundingClientRect();
      return inner.top < box.top - 1 || inner.bottom > box.bottom + 1;
    }).map(element => element.closest('math').getAttribute('alttext'));
  });
  return {
    sum: height(sum), letter: Math.max(...letters.map(height)), outside,
    font: document.fonts.check('16px "Tutorial Math"'),
  };
}"""


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("path", ["models/linear-regression/", "init/weight-init/"])
def test_a_display_sum_is_drawn_large_by_the_site_math_font(visit, language, path) -> None:
    """The site serves its math font (site_tools/hooks/math_font.py), so a display ∑ is an
    operator, not a letter, on every machine: taller than the letters beside it by half."""
    page = visit(LANGUAGES[language] + path).page
    page.evaluate("document.fonts.ready")
    found = page.evaluate(DISPLAY_SUM)
    assert found["font"], "the math font did not load"
    assert found["sum"] >= 1.5 * found["letter"], found
    assert not found["outside"], f"clipped by their box: {found['outside']}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_search_finds_each_chapter_first_by_its_title(visit, base_url: str, language) -> None:
    """A reader who types a chapter's title gets that chapter first: "Convolution" before
    "Transposed convolution" (site_tools/hooks/search.py), "线性回归" before 线性层 (workaround 5)."""
    page = visit(LANGUAGES[language]).page
    wrong = []
    for chapter in project.chapters():
        expected = base_url + LANGUAGES[language] + chapter.source.removesuffix(".md") + "/"
        found = search(page, chapter.title(language))
        if found[:1] != [expected]:
            wrong.append(f"'{chapter.title(language)}' found {found[:3]}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("name", "path"), [("home", ""), ("chapter", "models/linear-regression/")])
def test_screenshots_for_review(visit, language: str, name: str, path: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, label in ((1280, "desktop"), (390, "phone")):
        page = visit(LANGUAGES[language] + path, width=width).page
        target = SCREENSHOTS / f"{name}-{language}-{label}.png"
        page.screenshot(path=str(target), full_page=label == "desktop")
        assert target.stat().st_size > 10_000


@pytest.mark.parametrize("language", LANGUAGES)
def test_weight_counts_everything_the_browser_loads(
    browser, base_url, built_site, language
) -> None:
    from site_tools.weight import first_load

    page_path = LANGUAGES[language] + "models/linear-regression/"
    context = browser.new_context()
    loaded: list[str] = []
    context.on("response", lambda r: loaded.append(r.url))
    page = context.new_page()
    page.goto(base_url + page_path, wait_until="networkidle")
    page.wait_for_timeout(1000)  # the search worker fetches its language files after load
    context.close()
    counted = set(first_load(built_site, page_path))
    code = [url[len(base_url) :] for url in loaded if url.split("?")[0].endswith((".js", ".css"))]
    assert code, "no script or stylesheet seen"
    assert not [path for path in code if path not in counted], f"loaded but not counted: {code}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_figures_speak_the_page_language_in_both_schemes(visit, language: str) -> None:
    """Each page shows its own language's drawing; in the dark scheme plots are inverted."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        page = visit(LANGUAGES[language] + "models/pipeline/", scheme=scheme).page
        shown = page.locator("article img[src*='figures/']:visible")
        for index in range(shown.count()):  # a lazy image loads when a reader scrolls to it
            shown.nth(index).scroll_into_view_if_needed()
            shown.nth(index).evaluate("i => i.decode()")
        figures = page.eval_on_selector_all(
            "article img[src*='figures/']:visible",  # a photo's other-scheme twin is hidden
            """images => images.map(i => [i.getAttribute('src'), i.complete && i.naturalWidth > 0,
                                          getComputedStyle(i).filter])""",
        )
        assert figures, "no figure on the pipeline page"
        for source, loaded, applied in figures:
            assert loaded, f"{source} did not load"
            assert f".{language}." in source, f"{source} is not the {language} drawing"
            inverted = scheme == "dark" and ".svg" in source
            assert ("invert" in applied) == inverted, f"{scheme}: {source} has filter {applied}"
        page.locator("article img[src$='.svg']").first.scroll_into_view_if_needed()
        target = SCREENSHOTS / f"figure-{language}-{scheme}.png"
        page.screenshot(path=str(target))
        assert target.stat().st_size > 10_000


FIGURE_PAGES = sorted(
    {
        source.removesuffix(".md") + "/"
        for source in project.nav_pages()
        if "figures/" in (project.DOCS / project.default_language() / source).read_text("utf-8")
    }
)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_figures_show_at_their_drawn_size_on_the_scheme_ground(visit, language, scheme) -> None:
    """Every figure is shown as wide as it was drawn (the chapter column, examples/common.py
    COLUMN_PX), so its text shows at the size save_figure checked (at least MIN_TEXT_PX); in the
    dark scheme no figure sits on a white block: its corners are dark."""
    import io

    import matplotlib.image

    from examples.common import COLUMN_PX

    wrong = []
    for path in FIGURE_PAGES:
        page = visit(LANGUAGES[language] + path, scheme=scheme).page
        shown = page.locator("article img[src*='figures/']:visible")
        assert shown.count(), f"{path}: no figure shown"
        for index in range(shown.count()):
            image = shown.nth(index)
            source = image.get_attribute("src")
            width = image.evaluate("i => i.getBoundingClientRect().width")
            if abs(width - COLUMN_PX) > 1:
                wrong.append(f"{source}: shown {width:.0f} px wide, drawn for {COLUMN_PX}")
            if scheme == "dark":
                image.scroll_into_view_if_needed()
                pixels = matplotlib.image.imread(io.BytesIO(image.screenshot()), format="png")
                corners = [pixels[0, 0], pixels[0, -1], pixels[-1, 0], pixels[-1, -1]]
                light = max(float(sum(corner[:3]) / 3) for corner in corners)
                if light > 0.3:
                    wrong.append(f"{source}: a corner {light:.2f} light in the dark scheme")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_solution_shows_its_code_only_when_opened(visit, language: str) -> None:
    """Closed solutions render nothing but their title (extra.css, so that Material's start-up
    does not lay them out); opened, the code shows with its copy button."""
    page = visit(LANGUAGES[language] + "models/linear-regression/").page
    solution = page.locator("article details.success").first
    code = solution.locator("pre").first
    assert code.evaluate("pre => getComputedStyle(pre.closest('.highlight')).display") == "none"
    solution.locator("summary").click()
    box = code.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 20, box
    assert code.locator("[data-md-type=copy]").count() == 1


SCHEME_CHANGES = """window.__schemes = [];
new MutationObserver(changes => { for (const change of changes) window.__schemes.push(
  [performance.now(), change.target.getAttribute('data-md-color-scheme')]) })
  .observe(document, {subtree: true, attributes: true, attributeFilter: ['data-md-color-scheme']});"""


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_dark_system_gets_the_dark_page_from_the_first_paint(visit, language) -> None:
    """No light flash for a first-time reader whose system is dark (overrides/partials)."""
    path = LANGUAGES[language] + "models/linear-regression/"
    page = visit(path, scheme="dark", scripts=(SCHEME_CHANGES,)).page
    first_paint = "performance.getEntriesByName('first-contentful-paint')[0]"
    page.wait_for_function(first_paint)  # on a busy machine it is reported after the load event
    painted = page.evaluate(f"{first_paint}.startTime")
    schemes = page.evaluate("window.__schemes")
    before = [scheme for time, scheme in schemes if time <= painted]
    assert before and before[-1] == "slate", f"first paint at {painted:.0f} ms: {schemes}"
    assert {scheme for _, scheme in schemes} == {"slate"}, schemes


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_language_switch_works_on_another_host(browser, base_url: str, language) -> None:
    """Served away from site_url (a preview, `python -m http.server`): no console errors, no
    request to site_url's host, and the switch leads to the same page in the other language,
    on this host. (Loopback on another port is another origin than site_url's.)"""
    assert not base_url.startswith(project.settings()["site_url"])
    context = browser.new_context()
    page = context.new_page()
    errors, requests = [], []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    path = "layers/pooling/"
    page.goto(base_url + LANGUAGES[language] + path, wait_until="networkidle")
    other = next(lang for lang in LANGUAGES if lang != language)
    page.locator(".md-header__option .md-select").hover()  # the menu opens on hover
    page.locator(f"a.md-select__link[hreflang={other}]").click()
    page.wait_for_url(base_url + LANGUAGES[other] + path)
    page.wait_for_load_state("networkidle")
    context.close()
    origin = "/".join(base_url.split("/", 3)[:3])
    assert not errors, errors
    assert all(url.startswith(origin) for url in requests), [
        url for url in requests if not url.startswith(origin)
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_search_stays_in_the_page_language(visit, base_url: str, language) -> None:
    """Each language has its own index (workaround 4): a name both languages share, such as
    LeNet, finds this language's chapter first and no page of the other language."""
    pages = search(visit(LANGUAGES[language]).page, "LeNet")
    assert pages[0] == base_url + LANGUAGES[language] + "models/lenet/", pages[:3]
    others = [f"{base_url}{folder}" for lang, folder in LANGUAGES.items() if lang != language]
    if language == project.default_language():
        assert not [p for p in pages if any(p.startswith(o) for o in others if o != base_url)]
    else:
        assert all(page.startswith(base_url + LANGUAGES[language]) for page in pages), pages


CONTRAST = """(element) => {
  const rgb = (text) => text.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const luminance = (c) => { const [r, g, b] = c.map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  let ground = element;
  while (ground && getComputedStyle(ground).backgroundColor.startsWith('rgba(0, 0, 0, 0')) {
    ground = ground.parentElement;
  }
  const [a, b] = [luminance(rgb(getComputedStyle(element).color)),
                  luminance(rgb(getComputedStyle(ground || document.body).backgroundColor))];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_program_page_reads_in_both_schemes(visit, language: str, scheme: str) -> None:
    """The program and its output in the theme's code blocks, at AA contrast in either scheme;
    its figure loaded at the column's width. Screenshots for review in test-results/."""
    from examples.common import COLUMN_PX

    page = visit(LANGUAGES[language] + "programs/weight_init/", scheme=scheme).page
    code = page.locator("article .jp-InputArea .highlight code").first
    output = page.locator("article .jp-OutputArea-output .highlight code").first
    assert "def main(" in code.inner_text() and "std after layer 100" in output.inner_text()
    for name, element in (("code", code), ("output", output)):
        ratio = element.evaluate(CONTRAST)
        assert ratio >= 4.5, f"{scheme}: the {name} has contrast {ratio:.1f} with its ground"
    figure = page.locator("article .jp-OutputArea-output img").first
    figure.scroll_into_view_if_needed()
    figure.evaluate("i => i.decode()")
    assert figure.evaluate("i => i.complete && i.naturalWidth > 0"), "the figure did not load"
    assert abs(figure.evaluate("i => i.getBoundingClientRect().width") - COLUMN_PX) <= 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"program-{language}-{scheme}.png"
    output.scroll_into_view_if_needed()
    page.screenshot(path=str(target))
    assert target.stat().st_size > 10_000
