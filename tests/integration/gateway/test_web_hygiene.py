"""The gateway's web hygiene over real HTTP (uvicorn): security headers on every answer,
trusted hosts and links from the public base URL only, HEAD wherever GET works, gzip, ETag and
Cache-Control, read-only CORS on the API, the API docs served from here, only http(s) URLs, a
favicon; and in a real Chromium, the Content-Security-Policy holding on the pages and docs."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi.routing import iter_route_contexts
from playwright.async_api import Browser
from starlette.routing import Mount

from services.gateway.config import GatewaySettings
from services.gateway.handlers import record_enterprise_event
from services.gateway.main import create_app
from services.gateway.read_model.database import create_tables
from tests.integration.gateway.served import Served, served_gateway
from tests.unit.gateway.events import holding, listed, supplement

pytestmark = pytest.mark.integration

ORIGIN = "https://andere-regio.example"
EVERY_KIND = {
    "search page": ("GET", "/"),
    "detail page": ("GET", "/ondernemingen/kringloop"),
    "page 404": ("GET", "/ondernemingen/bestaat-niet"),
    "page 422": ("GET", "/?page=0"),
    "page 405": ("POST", "/"),
    "sign-in page": ("GET", "/ondernemingen/kringloop/aanvullen"),
    "API search": ("GET", "/api/v1/enterprises"),
    "API 404": ("GET", "/api/v1/enterprises/bestaat-niet"),
    "API 422": ("GET", "/api/v1/enterprises?page=0"),
    "health": ("GET", "/healthz"),
    "OpenAPI": ("GET", "/openapi.json"),
    "Swagger UI": ("GET", "/docs"),
    "docs asset": ("GET", "/docs/static/swagger-ui.css"),
    "static file": ("GET", "/static/style.css"),
    "static 404": ("GET", "/static/bestaat-niet.css"),
    "favicon": ("GET", "/favicon.ico"),
    "HEAD": ("HEAD", "/"),
}


@pytest.fixture(scope="module")
async def gateway(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Served]:
    async with served_gateway(tmp_path_factory.mktemp("gateway")) as served:
        yield served


@pytest.fixture
async def client(gateway: Served) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=gateway.url) as client:
        yield client


def assert_secured(response: httpx.Response) -> None:
    """The security headers every answer carries."""
    headers = response.headers
    # A route may add a policy of its own; browsers enforce each, so ours must be among them.
    [policy] = [p for p in headers.get_list("content-security-policy") if "script-src" in p]
    directives = dict(part.strip().partition(" ")[::2] for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in directives["script-src"]
    assert headers["x-content-type-options"] == "nosniff"
    # The sign-in pages send none at all (their links are secret); the rest no path.
    assert headers["referrer-policy"] in ("strict-origin-when-cross-origin", "no-referrer")
    assert headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize("kind", EVERY_KIND)
async def test_every_kind_of_answer_carries_the_security_headers(
    client: httpx.AsyncClient, kind: str
) -> None:
    method, path = EVERY_KIND[kind]
    response = await client.request(method, path)
    assert_secured(response)


async def test_pages_allow_no_inline_style_either(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert "style-src 'self';" in response.headers["content-security-policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)|\sstyle=|\son[a-z]+=", response.text)


async def test_an_unexpected_error_answers_500_with_the_security_headers() -> None:
    app = create_app(GatewaySettings(gateway_database_url="sqlite://"))

    @app.get("/kapot")
    async def broken() -> None:
        raise RuntimeError("a bug")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as c:
        response = await c.get("/kapot")
    assert response.status_code == 500
    assert "a bug" not in response.text
    assert_secured(response)


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1.evil.example", "impact.example"])
async def test_a_request_for_a_foreign_host_is_refused(
    client: httpx.AsyncClient, host: str
) -> None:
    for path in ("/", "/api/v1/enterprises", "/static/style.css", "/healthz"):
        response = await client.get(path, headers={"Host": host})
        assert response.status_code == 400, (host, path)
        assert "Onbekend adres" in response.text
        assert_secured(response)


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST:8000", "127.0.0.1", "127.0.0.1:1"])
async def test_the_local_names_are_allowed_by_default(client: httpx.AsyncClient, host: str) -> None:
    assert (await client.get("/", headers={"Host": host})).status_code == 200


async def test_allowed_hosts_are_the_public_host_and_the_setting(tmp_path: Path) -> None:
    settings = {
        "public_base_url": "https://impact.example/",
        "gateway_allowed_hosts": "*.regio.example, gateway-intern",
    }
    app = create_app(GatewaySettings(gateway_database_url="sqlite://", **settings))
    create_tables(app.state.engine)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://x") as c:
        statuses = {
            host: (await c.get("/healthz", headers={"Host": host})).status_code
            for host in ("impact.example", "a.regio.example", "gateway-intern:8000", "localhost")
        }
    assert statuses == {
        "impact.example": 200,
        "a.regio.example": 200,
        "gateway-intern:8000": 200,
        "localhost": 400,  # an explicit list replaces the local default
    }


async def test_links_never_carry_the_host_or_forwarded_host_of_the_request(
    gateway: Served, client: httpx.AsyncClient
) -> None:
    spoofed = {
        "Host": "localhost:4444",
        "X-Forwarded-Host": "evil.example",
        "X-Forwarded-Proto": "https",
        "Forwarded": "host=evil.example;proto=https",
    }
    paths = ["/", "/ondernemingen/lang", "/ondernemingen/lang/aanvullen", "/docs"]
    paths.append(gateway.issue_link("spoof").removeprefix(gateway.url))
    for path in paths:
        response = await client.get(path, headers=spoofed)
        assert response.status_code == 200, path
        for foreign in ("localhost", "4444", "evil.example", "https://127", "https://local"):
            assert foreign not in response.text, (path, foreign)
    detail = await client.get("/ondernemingen/lang", headers=spoofed)
    assert f'href="{gateway.url}/ondernemingen/lang/aanvullen"' in detail.text
    assert 'href="/ondernemingen/kringloop"' in (await client.get("/", headers=spoofed)).text


def _every_get_path(gateway: Served) -> list[str]:
    """One URL for each GET route and static mount of the app, path parameters filled in."""
    values = {"enterprise_id": "kringloop"}
    paths = ["/bestaat/niet"]
    for route in iter_route_contexts(gateway.app.routes):
        if isinstance(route.route, Mount):
            file = "favicon.png" if "docs" in route.path else "style.css"
            paths.append(f"{route.path}/{file}")
        elif "GET" in (route.methods or ()):
            paths.append(re.sub(r"{(\w+)(:\w+)?}", lambda m: values.get(m[1], "x"), route.path))
    return paths


async def test_head_answers_like_get_on_every_get_route(
    gateway: Served, client: httpx.AsyncClient
) -> None:
    named = ["/", "/ondernemingen/kringloop", "/api/v1/enterprises", "/healthz",
             "/static/style.css", "/openapi.json", "/docs"]  # fmt: skip
    every = _every_get_path(gateway)
    assert set(named) <= set(every)
    assert len(every) >= 12
    assert {
        "/static/style.css",
        "/docs/static/favicon.png",
        "/aanvullen/kringloop/bewerken",
    } <= set(every)
    for path in every:
        got = await client.get(path)
        head = await client.head(path)
        assert head.status_code == got.status_code, path
        assert head.content == b"", path
        for name in ("content-type", "content-length", "etag", "cache-control"):
            assert head.headers.get(name) == got.headers.get(name), (path, name)


async def test_pages_and_api_are_gzipped_for_clients_that_accept_it(
    client: httpx.AsyncClient,
) -> None:
    for path in ("/", "/api/v1/enterprises", "/openapi.json", "/static/style.css"):
        zipped = await client.get(path, headers={"Accept-Encoding": "gzip"})
        plain = await client.get(path, headers={"Accept-Encoding": "identity"})
        assert zipped.headers["content-encoding"] == "gzip", path
        assert "accept-encoding" in zipped.headers["vary"].lower(), path
        assert "content-encoding" not in plain.headers, path
        assert zipped.content == plain.content, path  # httpx decodes the gzip
        assert int(zipped.headers["content-length"]) < int(plain.headers["content-length"])
        assert zipped.headers["etag"] == plain.headers["etag"], path


@pytest.mark.parametrize("path", ["/", "/ondernemingen/kringloop", "/api/v1/enterprises"])
async def test_pages_and_api_answers_revalidate_by_etag(
    client: httpx.AsyncClient, path: str
) -> None:
    first = await client.get(path)
    tag = first.headers["etag"]
    assert re.fullmatch(r'W/"[0-9a-f]{32}"', tag)
    assert first.headers["cache-control"] == "no-cache"
    for offered in (tag, tag.removeprefix("W/"), f'"other", {tag}', "*"):
        again = await client.get(path, headers={"If-None-Match": offered})
        assert again.status_code == 304, offered
        assert again.content == b""
        assert again.headers["etag"] == tag
        assert again.headers["cache-control"] == "no-cache"
        assert_secured(again)
    changed = await client.get(path, headers={"If-None-Match": 'W/"other"'})
    assert changed.status_code == 200 and changed.headers["etag"] == tag


async def test_an_answer_to_a_browser_with_cookies_is_kept_by_that_browser_only(
    client: httpx.AsyncClient,
) -> None:
    anonymous = await client.get("/")
    with_cookie = await client.get("/", headers={"Cookie": "inkooplijst=abc"})
    assert anonymous.headers["cache-control"] == "no-cache"
    assert with_cookie.headers["cache-control"] == "private, no-cache"
    for response in (anonymous, with_cookie):
        assert "cookie" in response.headers["vary"].lower()
    again = await client.get(
        "/", headers={"Cookie": "inkooplijst=abc", "If-None-Match": with_cookie.headers["etag"]}
    )
    assert again.status_code == 304
    assert "cookie" in again.headers["vary"].lower()
    assert "accept-encoding" in again.headers["vary"].lower()


async def test_a_new_event_changes_the_etag(tmp_path: Path) -> None:
    async with (
        served_gateway(tmp_path) as gateway,
        httpx.AsyncClient(base_url=gateway.url) as client,
    ):
        before = (await client.get("/api/v1/enterprises")).headers["etag"]
        record_enterprise_event(gateway.app.state.engine, listed("nieuw", name="Nieuw"))
        after = await client.get("/api/v1/enterprises", headers={"If-None-Match": before})
    assert after.status_code == 200
    assert after.headers["etag"] != before
    assert "Nieuw" in after.text


async def test_personal_pages_are_never_stored_and_get_no_etag(
    gateway: Served, client: httpx.AsyncClient
) -> None:
    request_page = await client.get("/ondernemingen/kringloop/aanvullen")
    confirm_page = await client.get(gateway.issue_link("persoonlijk").removeprefix(gateway.url))
    for response in (request_page, confirm_page):
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store"
        assert "etag" not in response.headers
        assert "csrf_token" in response.text


async def test_static_files_are_kept_long_when_the_link_carries_their_version(
    client: httpx.AsyncClient,
) -> None:
    page = (await client.get("/")).text
    css = re.search(r'href="(/static/style\.css\?v=[0-9a-f]+)"', page)
    assert css, page
    versioned = await client.get(css[1])
    assert versioned.headers["cache-control"] == "public, max-age=31536000, immutable"
    plain = await client.get("/static/style.css")
    assert plain.headers["cache-control"] == "public, max-age=86400"
    assert plain.headers["etag"].startswith('W/"')
    again = await client.get("/static/style.css", headers={"If-None-Match": plain.headers["etag"]})
    assert again.status_code == 304


async def test_the_favicon_is_served_and_linked_from_every_page(client: httpx.AsyncClient) -> None:
    icon = await client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"] == "image/x-icon"
    assert icon.content.startswith(b"\x00\x00\x01\x00")  # an ICO header
    assert "max-age" in icon.headers["cache-control"]
    for path in ("/", "/ondernemingen/kringloop", "/bestaat/niet"):
        assert '<link rel="icon" href="/favicon.ico"' in (await client.get(path)).text


def _references(html: str) -> list[str]:
    return re.findall(r'(?:src|href|spec-url|data-openapi-url)="([^"]*)"', html)


@pytest.mark.parametrize("path", ["/docs"])
async def test_api_docs_load_everything_from_this_site(
    client: httpx.AsyncClient, path: str
) -> None:
    html = (await client.get(path)).text
    references = _references(html)
    assert len(references) >= 3, html
    for reference in references:
        assert reference.startswith("/") and not reference.startswith("//"), reference
        assert (await client.get(reference)).status_code == 200, reference
    assert "://" not in html
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", html, re.S)
    assert scripts and all(not body.strip() for body in scripts), "an inline script"


async def test_the_api_is_readable_from_any_origin_without_credentials(
    client: httpx.AsyncClient,
) -> None:
    for method in ("GET", "HEAD"):
        response = await client.request(method, "/api/v1/enterprises", headers={"Origin": ORIGIN})
        assert response.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in response.headers
    preflight = await client.options(
        "/api/v1/enterprises",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert preflight.headers["access-control-allow-methods"] == "GET, HEAD"
    assert "if-none-match" in preflight.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-credentials" not in preflight.headers


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
async def test_the_api_allows_no_other_method_across_origins(
    client: httpx.AsyncClient, method: str
) -> None:
    preflight = await client.options(
        "/api/v1/enterprises",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": method},
    )
    assert preflight.status_code == 400
    assert "access-control-allow-methods" not in preflight.headers
    assert (await client.request(method, "/api/v1/enterprises")).status_code == 405


async def test_pages_are_not_shared_across_origins(client: httpx.AsyncClient) -> None:
    for path in ("/", "/ondernemingen/kringloop", "/ondernemingen/kringloop/aanvullen"):
        response = await client.get(path, headers={"Origin": ORIGIN})
        assert "access-control-allow-origin" not in response.headers, path
        preflight = await client.options(
            path, headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"}
        )
        assert "access-control-allow-origin" not in preflight.headers, path


HOSTILE = (
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "ftp://files.example/",
)


@pytest.mark.parametrize("url", HOSTILE)
async def test_only_http_urls_reach_the_api_and_the_pages(tmp_path: Path, url: str) -> None:
    events = [
        listed("vreemd", name="Vreemde Links", website=url,
               labels=(holding("pso", source_url=url),)),
        listed("eigen", name="Eigen Site", website=url,
               supplement=supplement(website="https://eigen.example/")),
    ]  # fmt: skip
    async with (
        served_gateway(tmp_path, events) as gateway,
        httpx.AsyncClient(base_url=gateway.url) as client,
    ):
        odd = (await client.get("/api/v1/enterprises/vreemd")).json()
        own = (await client.get("/api/v1/enterprises/eigen")).json()
        search = (await client.get("/api/v1/enterprises")).text
        pages = [(await client.get(p)).text for p in ("/ondernemingen/vreemd", "/?q=vreemde")]
    assert (odd["website"], odd["website_source"]) == (None, None)
    assert odd["labels"][0]["source_url"] is None
    assert (own["website"], own["website_source"]) == ("https://eigen.example/", "enterprise")
    scheme = url.partition(":")[0]
    for text in (search, *pages):
        assert f"{scheme}:" not in text


CSP_LISTENER = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


async def test_pages_and_docs_work_under_the_policy_without_a_violation(
    gateway: Served, browser: Browser
) -> None:
    context = await browser.new_context(locale="nl-NL")  # the policy enforced: no bypass
    context.set_default_timeout(15_000)
    await context.add_init_script(CSP_LISTENER)
    page = await context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    checks = {
        "/": "h1",
        "/ondernemingen/lang": "h1",
        "/docs": ".swagger-ui .opblock-summary-path",
    }
    try:
        for path, rendered in checks.items():
            await page.goto(f"{gateway.url}{path}")
            await page.locator(rendered).first.wait_for()
            violations = await page.evaluate("window.__violations")
            assert violations == [], (path, violations)
        swagger = await page.goto(f"{gateway.url}/docs")
        assert swagger is not None
        await page.locator(".swagger-ui .opblock-summary-path").first.wait_for()
        paths = await page.locator(".swagger-ui .opblock-summary-path").all_inner_texts()
        assert "/api/v1/enterprises" in [path.replace("\u200b", "") for path in paths]
        assert await page.evaluate("getComputedStyle(document.body).fontFamily") != ""
    finally:
        await context.close()
    refused = [line for line in console if "Content Security Policy" in line]
    assert refused == [], console


INFORMAL = re.compile(r"\b(je|jij|jou|jouw|jullie)\b", re.IGNORECASE)


def test_pages_and_mails_address_the_reader_as_u_only() -> None:
    root = Path(__file__).resolve().parents[3] / "services"
    files = [
        path
        for service in ("gateway", "notifier")
        for path in (root / service).rglob("*")
        if path.suffix in (".html", ".txt", ".py")
    ]
    assert len(files) > 30
    informal = [
        f"{path.relative_to(root)}:{number}: {line.strip()}"
        for path in files
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if INFORMAL.search(line)
    ]
    assert informal == []
