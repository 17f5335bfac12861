"""OIDC browser login against the real binary, a real provider (oidc-provider-mock) and a real browser
(headless Chromium through selenium): sign in, create an API key on the web page, push with it through skopeo,
revoke it, log out; plus cookie flags and tampered callbacks (done with `requests`)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlparse

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from authz_support import failure_text, image_layout
from oidc_support import (REDIRECTS, SESSION_COOKIE, authorize_at_provider, chromium, oidc_login,  # noqa: F401
                          oidc_provider, oidc_registry, start_login)

pytestmark = pytest.mark.zot_only

LOGIN_PAGE = "/auth/login"
KEYS_PAGE = "/auth/apikeys"
WAIT_SECONDS = 10


def path_of(driver: WebDriver) -> str:
    return urlparse(driver.current_url).path


def wait_for_path(driver: WebDriver, path: str) -> None:
    WebDriverWait(driver, WAIT_SECONDS).until(lambda d: path_of(d) == path,
                                              f"browser never reached {path}; at {driver.current_url}")


def submit_form_of(element) -> None:
    """Clicks the submit control of the form `element` belongs to."""
    form = element if element.tag_name == "form" else element.find_element(By.XPATH, "./ancestor::form")
    form.find_element(By.CSS_SELECTOR, "button[type=submit], input[type=submit], button:not([type])").click()


def browser_login(driver: WebDriver, server, subject: str = "alice") -> None:
    """From the login page through the provider's form back to the API key page."""
    driver.get(server.url + LOGIN_PAGE)
    driver.find_element(By.XPATH, "//a[contains(normalize-space(.), 'Sign in with OIDC')]"
                                  " | //button[contains(normalize-space(.), 'Sign in with OIDC')]"
                                  " | //input[@type='submit' and contains(@value, 'Sign in with OIDC')]").click()
    WebDriverWait(driver, WAIT_SECONDS).until(lambda d: d.current_url.startswith(server.provider.issuer),
                                              f"not sent to the provider; at {driver.current_url}")
    subject_field = driver.find_element(By.NAME, "sub")
    subject_field.send_keys(subject)
    submit_form_of(subject_field)
    wait_for_path(driver, KEYS_PAGE)
    assert subject in driver.find_element(By.TAG_NAME, "body").text, "the key page does not name the user"


def create_key_on_page(driver: WebDriver, label: str, days: int = 7) -> str:
    label_field = driver.find_element(By.NAME, "label")
    label_field.send_keys(label)
    days_field = driver.find_element(By.NAME, "expires_in_days")
    days_field.clear()
    days_field.send_keys(str(days))
    csrf = label_field.find_element(By.XPATH, "./ancestor::form//input[@name='csrf']")
    assert csrf.get_attribute("type") == "hidden" and csrf.get_attribute("value"), "create form without CSRF token"
    submit_form_of(label_field)
    shown = WebDriverWait(driver, WAIT_SECONDS).until(lambda d: d.find_elements(By.ID, "new-api-key"),
                                                      "no #new-api-key after creating a key")[0]
    key = (shown.get_attribute("value") or shown.text).strip()
    assert key.startswith("zak_"), f"#new-api-key shows {key!r}"
    return key


def key_row(driver: WebDriver, label: str):
    rows = driver.find_elements(By.XPATH, f"//table[@id='api-keys']//tr[td[contains(normalize-space(.), '{label}')]]")
    return rows[0] if rows else None


def push(skopeo, server, tmp_path, creds: str, target: str, name: str):
    source = image_layout(tmp_path, name, f"{name}\n".encode())
    return skopeo.run("copy", "--dest-tls-verify=false", "--dest-creds", creds, source,
                      f"docker://{server.host}/{target}", check=False)


def test_a_key_made_in_the_browser_pushes_until_it_is_revoked_there(oidc_registry, oidc_provider, chromium,
                                                                    skopeo, tmp_path):
    server = oidc_registry(provider=oidc_provider)
    browser_login(chromium, server)
    key = create_key_on_page(chromium, "browser-made")
    assert key not in chromium.page_source.replace(key, "", 1), "the new key is shown more than once"

    pushed = push(skopeo, server, tmp_path, f"alice:{key}", "team/app:1", "first")
    assert pushed.returncode == 0, f"push with the browser-made key failed: {pushed.stderr}"

    chromium.get(server.url + KEYS_PAGE)
    assert not chromium.find_elements(By.ID, "new-api-key"), "the key page shows a secret on a later visit"
    assert key not in chromium.page_source, "the key page reveals the key on a later visit"
    row = key_row(chromium, "browser-made")
    assert row is not None, "the key is not listed in #api-keys"
    revoke_form = row.find_element(By.XPATH, ".//form")
    assert revoke_form.get_attribute("action").endswith("/auth/apikeys/revoke")
    assert revoke_form.find_element(By.NAME, "csrf").get_attribute("value")
    submit_form_of(revoke_form)
    WebDriverWait(chromium, WAIT_SECONDS).until(lambda d: key_row(d, "browser-made") is None,
                                                "the revoked key is still listed")

    refused = push(skopeo, server, tmp_path, f"alice:{key}", "team/app:2", "second")
    assert refused.returncode != 0, "push with a revoked key succeeded"
    assert "401" in refused.stderr or "unauthorized" in failure_text(refused), refused.stderr
    server.assert_no_secret_logged(key)


def test_the_session_cookie_is_http_only_and_lax_and_logout_ends_the_session(oidc_registry, oidc_provider, chromium):
    server = oidc_registry(provider=oidc_provider)
    browser_login(chromium, server)
    cookies = {cookie["name"]: cookie for cookie in chromium.get_cookies()}
    assert SESSION_COOKIE in cookies, f"no {SESSION_COOKIE} cookie: {list(cookies)}"
    session = cookies[SESSION_COOKIE]
    assert session["httpOnly"] is True, session
    assert session.get("sameSite") in ("Lax", "Strict"), session
    assert session["value"] not in (chromium.execute_script("return document.cookie") or ""), "script can read it"
    value = session["value"]
    as_api = requests.get(server.url + "/zot/auth/apikey", cookies={SESSION_COOKIE: value}, timeout=10)
    assert as_api.status_code == 200, f"the browser session does not work for the API: {as_api.status_code}"

    logout_form = chromium.find_element(By.XPATH, "//form[contains(@action, '/zot/auth/logout')]")
    assert logout_form.find_element(By.NAME, "csrf").get_attribute("value"), "logout form without CSRF token"
    submit_form_of(logout_form)
    wait_for_path(chromium, LOGIN_PAGE)
    chromium.get(server.url + KEYS_PAGE)
    wait_for_path(chromium, LOGIN_PAGE)

    replayed = requests.get(server.url + "/zot/auth/apikey", cookies={SESSION_COOKIE: value}, timeout=10)
    assert replayed.status_code == 401, f"the logged-out session cookie still works: {replayed.status_code}"
    page = requests.get(server.url + KEYS_PAGE, cookies={SESSION_COOKIE: value}, allow_redirects=False, timeout=10)
    assert page.status_code == 303 and page.headers["Location"].endswith(LOGIN_PAGE), page.status_code

    events = server.audit_events()
    assert any("logout" in str(e.get("event")) and e.get("user") == "alice" for e in events), events
    server.assert_no_secret_logged(value)


def test_the_key_page_sends_strangers_to_the_login_page(oidc_registry, oidc_provider):
    server = oidc_registry(provider=oidc_provider)
    for cookies in ({}, {SESSION_COOKIE: "forged-session-value"}):
        page = requests.get(server.url + KEYS_PAGE, cookies=cookies, allow_redirects=False, timeout=10)
        assert page.status_code == 303, f"{cookies}: {page.status_code}"
        assert page.headers["Location"].endswith(LOGIN_PAGE), page.headers["Location"]
    login = requests.get(server.url + LOGIN_PAGE, timeout=10)
    assert login.status_code == 200 and "Sign in with OIDC" in login.text, login.text[:300]
    forged_post = requests.post(server.url + KEYS_PAGE, data={"label": "x", "expires_in_days": "1", "csrf": "x"},
                                allow_redirects=False, timeout=10)
    assert forged_post.status_code in (303, 401, 403), f"anonymous form post: {forged_post.status_code}"


def test_a_tampered_or_replayed_callback_opens_no_session(oidc_registry, oidc_provider):
    server = oidc_registry(provider=oidc_provider)
    browser = requests.Session()

    def fresh_callback() -> tuple[str, dict]:
        callback = authorize_at_provider(browser, start_login(server, browser), "alice")
        parts = urlparse(callback)
        return parts.path, {name: values[0] for name, values in parse_qs(parts.query).items()}

    def call(path: str, params: dict) -> requests.Response:
        return browser.get(f"{server.url}{path}?{urlencode(params)}", allow_redirects=False, timeout=10)

    def assert_refused(answer: requests.Response, name: str, statuses: tuple[int, ...] = (400, 401)) -> None:
        assert answer.status_code in statuses, f"{name}: {answer.status_code} {answer.text[:200]}"
        assert not answer.cookies.get(SESSION_COOKIE), f"{name}: a session cookie was set"

    path, query = fresh_callback()
    assert_refused(call(path, {**query, "state": "forged-" + query["state"][:8]}), "wrong state")
    assert_refused(call(path, {"code": query["code"]}), "no state")
    accepted = call(path, query)
    assert accepted.status_code in REDIRECTS and accepted.cookies.get(SESSION_COOKIE), \
        f"the untampered callback after the refused ones: {accepted.status_code} {accepted.text[:200]}"
    assert_refused(call(path, query), "replayed callback")

    path, query = fresh_callback()
    assert_refused(call("/zot/auth/callback/github", query), "state presented to another provider", (400, 401, 404))
    assert_refused(call(path, query), "state already presented once")

    path, query = fresh_callback()
    assert_refused(call(path, {**query, "code": "not-a-code"}), "forged code")


def test_a_login_never_redirects_to_a_foreign_site(oidc_registry, oidc_provider):
    server = oidc_registry(provider=oidc_provider)
    for target in ("https://evil.example/steal", "//evil.example/x"):
        browser = requests.Session()
        callback = authorize_at_provider(browser, start_login(server, browser, callback_ui=target), "alice")
        landed = browser.get(callback, allow_redirects=False, timeout=10)
        assert landed.status_code in REDIRECTS, landed.status_code
        location = landed.headers["Location"]
        assert "evil.example" not in location, f"open redirect to {location}"
    assert oidc_login(server, "alice", callback_ui="/auth/apikeys?from=test").cookies.get(SESSION_COOKIE)


def test_a_callback_finished_in_another_browser_opens_no_session(oidc_registry, oidc_provider):
    """Login CSRF: an attacker starts a login as himself and makes the victim's browser open the callback URL;
    the state must be bound to the browser that started the login (e.g. a cookie), not only known to the server."""
    server = oidc_registry(provider=oidc_provider)
    attacker = requests.Session()
    callback = authorize_at_provider(attacker, start_login(server, attacker), "carol")
    victim = requests.Session()
    answer = victim.get(callback, allow_redirects=False, timeout=10)
    assert not answer.cookies.get(SESSION_COOKIE), \
        f"a callback URL from another browser logged the victim in as the attacker ({answer.status_code})"
