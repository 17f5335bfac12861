"""The web console (`extensions.ui`) in a real browser (headless Chromium through selenium): sign in with the
password form, browse to an image and see its configuration, layers and a referrer pushed with oras-py, create a
key on /user/apikey and use it with skopeo, see only what policy lets you read (list, search and direct URL → 404),
delete a tag with and without the right, and read your own rights explained. Every page is screenshotted into the
test's temp dir and passes a small accessibility check (labels, language, title, contrast)."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest
import requests
from oras.client import OrasClient
from oras.oci import Subject
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from authz_support import PLAIN_HTTP, AuthzRegistry
from oidc_support import OIDCRegistry, chromium, oidc_provider  # noqa: F401 (fixtures)
from registry_client import OCI_MANIFEST, RegistryClient, canonical_json

pytestmark = pytest.mark.zot_only

USERS = {"alice": "alice-console-1", "bob": "bob-console-2"}
ALL = ["read", "create", "update", "delete"]
POLICY = {"repositories": {
    "team/**": {"policies": [{"users": ["alice"], "actions": ALL}, {"users": ["bob"], "actions": ["read"]}]},
    "private/**": {"policies": [{"users": ["alice"], "actions": ALL}]},
}, "adminPolicy": {"users": ["alice"], "actions": ALL}}
ARTIFACT_TYPE = "application/vnd.example.sbom.v1+json"
IMAGE_CONFIG = canonical_json({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []},
                               "config": {"Env": ["PATH=/usr/bin", "MODE=console-test"], "Entrypoint": ["/app"],
                                          "Labels": {"org.opencontainers.image.title": "console demo"}}})

#: Every text element's contrast with its background must reach WCAG AA (4.5:1); every form control needs a
#: label; the page needs a language and a title. Returns the problems found.
ACCESSIBILITY_CHECK = """
function lum(c){var m=c.match(/\\d+(\\.\\d+)?/g).map(Number);var a=m.length>3?m[3]:1;
 var rgb=m.slice(0,3).map(function(v){v/=255;return v<=0.03928?v/12.92:Math.pow((v+0.055)/1.055,2.4);});
 return {l:0.2126*rgb[0]+0.7152*rgb[1]+0.0722*rgb[2],a:a};}
function bg(e){while(e){var c=getComputedStyle(e).backgroundColor;if(lum(c).a>0)return c;e=e.parentElement;}return 'rgb(255,255,255)';}
var problems=[];
if(!document.documentElement.lang)problems.push('no lang');
if(!document.title)problems.push('no title');
document.querySelectorAll('input:not([type=hidden]),select,textarea').forEach(function(e){
 var labelled=(e.id&&document.querySelector('label[for="'+e.id+'"]'))||e.closest('label')||e.getAttribute('aria-label');
 if(!labelled)problems.push('unlabelled '+e.outerHTML.slice(0,80));});
document.querySelectorAll('button').forEach(function(e){if(!e.textContent.trim()&&!e.getAttribute('aria-label'))problems.push('empty button');});
document.querySelectorAll('body *').forEach(function(e){
 if(!e.childNodes.length||![].some.call(e.childNodes,function(n){return n.nodeType===3&&n.textContent.trim();}))return;
 var r=e.getBoundingClientRect();if(!r.width||!r.height)return;
 var f=lum(getComputedStyle(e).color).l,b=lum(bg(e)).l;var ratio=(Math.max(f,b)+0.05)/(Math.min(f,b)+0.05);
 if(ratio<4.5)problems.push('contrast '+ratio.toFixed(2)+' '+e.tagName+': '+e.textContent.trim().slice(0,40));});
return problems;
"""


class ConsoleRegistry(AuthzRegistry):
    """A zot-authz with `extensions.ui` on."""

    def config(self) -> dict:
        config = super().config()
        config["extensions"] = {"ui": {"enable": True}}
        return config


@pytest.fixture
def console(tmp_path):
    server = ConsoleRegistry(tmp_path / "console-server", users=dict(USERS), access_control=POLICY,
                             auth={"apikey": {"enable": True, "maxLifetime": "2160h"}, "failDelay": 1},
                             log={"audit": str(tmp_path / "audit.jsonl")})
    server.audit_path = tmp_path / "audit.jsonl"
    yield server.start()
    server.stop()


class Pages:
    """The browser plus a screenshot and an accessibility check of every page it lands on."""

    def __init__(self, driver: WebDriver, server, shots: Path):
        self.driver, self.server, self.shots = driver, server, shots
        shots.mkdir(parents=True, exist_ok=True)

    def open(self, path: str, name: str) -> None:
        self.driver.get(self.server.url + path)
        self.check(name)

    def check(self, name: str) -> None:
        self.driver.save_screenshot(str(self.shots / f"{name}.png"))
        problems = self.driver.execute_script(ACCESSIBILITY_CHECK)
        assert problems == [], f"{name}: {problems}"

    def sign_in(self, user: str) -> None:
        self.open("/", "login")
        assert self.driver.current_url.endswith("/login")
        self.driver.find_element(By.ID, "login-username").send_keys(user)
        self.driver.find_element(By.ID, "login-password").send_keys(USERS[user])
        self.driver.find_element(By.ID, "login-submit").click()
        self.wait_for("#repositories")
        assert self.driver.current_url.endswith("/explore"), self.driver.current_url
        assert self.driver.find_element(By.ID, "username").text == user
        self.check(f"explore-{user}")

    def text(self, element_id: str) -> str:
        return self.driver.find_element(By.ID, element_id).text

    def wait_for(self, css: str) -> None:
        """After a click that navigates: wait until the new page shows `css`."""
        WebDriverWait(self.driver, 10).until(lambda driver: driver.find_elements(By.CSS_SELECTOR, css))


def push_fixtures(server) -> str:
    alice = RegistryClient(server.url, auth=("alice", USERS["alice"]))
    digest, body = alice.push_image("team/app", "v1", layers=[b"first layer", b"second layer"], config=IMAGE_CONFIG)
    alice.push_image("team/app", "v2")
    alice.push_image("private/secret", "v1")
    oras = OrasClient(hostname=server.host, insecure=True, auth_backend="basic")
    oras.auth.set_basic_auth("alice", USERS["alice"])
    return digest, body, oras


def test_password_sign_in_and_browse_to_an_image_with_its_config_layers_and_an_oras_referrer(console, chromium, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    digest, body, oras = push_fixtures(console)
    sbom = tmp_path / "sbom.json"
    sbom.write_text('{"packages": []}')
    config = tmp_path / "artifact-config.json"
    config.write_bytes(b"{}")
    pushed = oras.push(target=f"{console.host}/team/app:sbom", files=[f"{sbom}:application/json"], disable_path_validation=True,
                       manifest_config=f"{config}:{ARTIFACT_TYPE}", quiet=True,
                       subject=Subject(mediaType=OCI_MANIFEST, digest=digest, size=len(body)))
    assert pushed.status_code == 201, pushed.text

    pages = Pages(chromium, console, tmp_path / "screenshots")
    pages.sign_in("alice")
    names = [row.get_attribute("data-name") for row in chromium.find_elements(By.CSS_SELECTOR, "#repositories tbody tr")]
    assert names == ["private/secret", "team/app"]
    assert "KiB" in chromium.find_element(By.CSS_SELECTOR, "#repositories tbody tr:last-child").text or \
        " B" in chromium.find_element(By.CSS_SELECTOR, "#repositories tbody tr:last-child").text
    # Readable on a phone: at 390 px the page itself never scrolls sideways (wide tables scroll in their own box).
    chromium.set_window_size(390, 844)
    for path in ["/explore", "/image?name=team/app", "/image?name=team/app&ref=v1", "/user/whoami"]:
        pages.open(path, "phone" + path.replace("/", "-").replace("?", "-").replace("&", "-").replace("=", "-"))
        overflow = chromium.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow} px at phone width"
    chromium.set_window_size(1280, 900)
    pages.open("/explore", "explore-wide")
    chromium.find_element(By.LINK_TEXT, "team/app").click()
    pages.wait_for("#tags")
    pages.check("repository")
    tags = [cell.text for cell in chromium.find_elements(By.CSS_SELECTOR, "#tags tbody th")]
    assert tags == ["sbom", "v1", "v2"]
    assert f"podman pull {console.host}/team/app:v1" in chromium.page_source
    chromium.find_element(By.LINK_TEXT, "v1").click()
    pages.wait_for("#layers")
    pages.check("image")
    assert pages.text("digest") == digest
    assert "MODE=console-test" in pages.text("config") and "/app" in pages.text("config")
    assert "console demo" in pages.text("config")
    layers = chromium.find_elements(By.CSS_SELECTOR, "#layers tbody tr")
    assert len(layers) == 2 and "11 B" in layers[0].text
    referrers = pages.text("referrers")
    assert ARTIFACT_TYPE in referrers and pushed.headers["Docker-Content-Digest"] in referrers


def test_a_user_who_may_not_read_a_repository_never_sees_it(console, chromium, tmp_path):
    push_fixtures(console)
    pages = Pages(chromium, console, tmp_path / "screenshots")
    pages.sign_in("bob")
    names = [row.get_attribute("data-name") for row in chromium.find_elements(By.CSS_SELECTOR, "#repositories tbody tr")]
    assert names == ["team/app"]
    pages.open("/explore?q=secret", "search-secret")
    assert chromium.find_elements(By.CSS_SELECTOR, "#repositories tbody tr") == []
    # Direct URLs: the same 404 page as a repository that does not exist.
    cookies = {c["name"]: c["value"] for c in chromium.get_cookies()}
    hidden = requests.get(f"{console.url}/image", params={"name": "private/secret"}, cookies=cookies, timeout=10)
    missing = requests.get(f"{console.url}/image", params={"name": "team/nothing-here"}, cookies=cookies, timeout=10)
    image = requests.get(f"{console.url}/image", params={"name": "private/secret", "ref": "v1"}, cookies=cookies, timeout=10)
    assert hidden.status_code == missing.status_code == image.status_code == 404
    assert "private/secret" not in hidden.text and "private/secret" not in image.text


def test_a_tag_is_deleted_only_with_the_delete_right(console, chromium, tmp_path):
    push_fixtures(console)
    pages = Pages(chromium, console, tmp_path / "screenshots")
    pages.sign_in("bob")
    pages.open("/image?name=team/app", "repository-bob")
    assert chromium.find_elements(By.CSS_SELECTOR, "#tags form") == [], "bob (read only) sees delete buttons"
    # A forged form from bob's session (with his valid CSRF token) is refused and audited.
    cookies = {c["name"]: c["value"] for c in chromium.get_cookies()}
    csrf = chromium.find_element(By.CSS_SELECTOR, "#logout").find_element(By.XPATH, "..").find_element(
        By.NAME, "csrf").get_attribute("value")
    forged = requests.post(f"{console.url}/image/delete-tag", data={"csrf": csrf, "name": "team/app", "tag": "v2", "confirm": "yes"},
                           cookies=cookies, headers={"Origin": console.url}, timeout=10)
    assert forged.status_code == 403, forged.text
    alice_client = RegistryClient(console.url, auth=("alice", USERS["alice"]))
    assert alice_client.head("/v2/team/app/manifests/v2").status_code == 200

    chromium.delete_all_cookies()
    pages.sign_in("alice")
    pages.open("/image?name=team/app", "repository-alice")
    row = next(r for r in chromium.find_elements(By.CSS_SELECTOR, "#tags tbody tr") if r.find_element(By.TAG_NAME, "th").text == "v2")
    row.find_element(By.NAME, "confirm").click()
    row.find_element(By.CSS_SELECTOR, "form button").click()
    pages.wait_for("#message")
    assert "Tag v2 deleted." in pages.text("message")
    assert alice_client.head("/v2/team/app/manifests/v2").status_code == 404
    events = [json.loads(line) for line in console.audit_path.read_text().splitlines()]
    deletes = [(e["result"], e["user"]) for e in events if e.get("event") == "console-delete-tag"]
    assert deletes == [("deny", "bob"), ("allow", "alice")], deletes


def test_a_key_made_on_the_console_key_page_pulls_with_skopeo(console, chromium, tmp_path):
    push_fixtures(console)
    pages = Pages(chromium, console, tmp_path / "screenshots")
    pages.sign_in("alice")
    pages.open("/user/apikey", "keys")
    chromium.find_element(By.NAME, "label").send_keys("console-made")
    chromium.find_element(By.ID, "create-key").click()
    pages.wait_for("#new-api-key")
    pages.check("key-created")
    key = pages.text("new-api-key")
    assert key.startswith("zak_") and "skopeo login" in pages.text("login-line")
    pulled = subprocess.run(["skopeo", "inspect", PLAIN_HTTP, "--creds", f"alice:{key}", f"docker://{console.host}/team/app:v1"],
                            capture_output=True, text=True, timeout=60)
    assert pulled.returncode == 0, pulled.stderr
    # Revoked on the page, after the confirmation tick: the key stops working.
    row = next(r for r in chromium.find_elements(By.CSS_SELECTOR, "#api-keys tbody tr") if "console-made" in r.text)
    row.find_element(By.NAME, "confirm").click()
    row.find_element(By.CSS_SELECTOR, "form button").click()
    pages.wait_for("#api-keys")
    assert "console-made" not in pages.text("api-keys")
    again = subprocess.run(["skopeo", "inspect", PLAIN_HTTP, "--creds", f"alice:{key}", f"docker://{console.host}/team/app:v1"],
                           capture_output=True, text=True, timeout=60)
    assert again.returncode != 0


def test_who_am_i_explains_the_rights_on_a_repository_the_viewer_types_in(console, chromium, tmp_path):
    pages = Pages(chromium, console, tmp_path / "screenshots")
    pages.sign_in("bob")
    pages.open("/user/whoami", "whoami")
    assert pages.text("method") == "htpasswd"
    chromium.find_element(By.ID, "repo").send_keys("team/app")
    chromium.find_element(By.CSS_SELECTOR, "form[action='/user/whoami'] button").click()
    pages.wait_for("#rights")
    pages.check("whoami-team-app")
    rights = {row.get_attribute("data-action"): row.text for row in chromium.find_elements(By.CSS_SELECTOR, "#rights tbody tr")}
    assert "allowed" in rights["read"] and "denied" in rights["delete"], rights


def test_a_wrong_password_on_the_sign_in_form_is_refused_after_the_fail_delay(console, tmp_path):
    browser = requests.Session()
    page = browser.get(f"{console.url}/login", timeout=10)
    token = page.text.split('name="csrf" value="')[1].split('"')[0]
    refused = browser.post(f"{console.url}/login", data={"csrf": token, "username": "alice", "password": "wrong"}, timeout=10)
    assert refused.status_code == 401 and "Wrong user name or password." in refused.text
    assert refused.elapsed.total_seconds() >= 1
    no_cookie = requests.post(f"{console.url}/login", data={"csrf": token, "username": "alice", "password": USERS["alice"]}, timeout=10)
    assert no_cookie.status_code == 403 and "session" not in no_cookie.cookies


def test_a_scoped_key_is_checked_against_the_users_rights_and_a_refused_form_keeps_its_values(console, chromium, tmp_path):
    push_fixtures(console)
    pages = Pages(chromium, console, tmp_path / "screenshots")
    pages.sign_in("bob")
    pages.open("/user/apikey", "keys-bob")
    assert "at most 90 days" in chromium.page_source
    chromium.find_element(By.NAME, "label").send_keys("too-wide")
    chromium.find_element(By.ID, "scope-0").send_keys("team/**")
    chromium.find_element(By.NAME, "scope0_delete").click()
    chromium.find_element(By.ID, "create-key").click()
    pages.wait_for("#message")
    pages.check("key-refused")
    assert "you may not delete on any repository matching team/**" in pages.text("message")
    assert chromium.find_element(By.NAME, "label").get_attribute("value") == "too-wide"
    assert chromium.find_element(By.ID, "scope-0").get_attribute("value") == "team/**"
    chromium.find_element(By.NAME, "scope0_delete").click()
    chromium.find_element(By.NAME, "scope0_read").click()
    chromium.find_element(By.ID, "create-key").click()
    pages.wait_for("#new-api-key")
    key = pages.text("new-api-key")
    assert "team/**: read" in pages.text("api-keys")
    reader = RegistryClient(console.url, auth=("bob", key))
    assert reader.head("/v2/team/app/manifests/v1", headers={"Accept": OCI_MANIFEST}).status_code == 200
    # An admin sees bob's key in the list of every user's keys and revokes it.
    chromium.delete_all_cookies()
    pages.sign_in("alice")
    pages.open("/user/apikey", "keys-admin")
    row = next(r for r in chromium.find_elements(By.CSS_SELECTOR, "#all-api-keys tbody tr") if "too-wide" in r.text)
    assert "bob" in row.text
    row.find_element(By.NAME, "confirm").click()
    row.find_element(By.CSS_SELECTOR, "form button").click()
    pages.wait_for("#api-keys")
    assert reader.head("/v2/team/app/manifests/v1", headers={"Accept": OCI_MANIFEST}).status_code == 401


def test_the_repository_page_shows_who_pushed_each_tag_and_when(console, chromium, tmp_path):
    push_fixtures(console)
    pages = Pages(chromium, console, tmp_path / "screenshots")
    pages.sign_in("bob")
    deadline = time.monotonic() + 15  # push times reach the metadata store in batches (every 5 s)
    while time.monotonic() < deadline:
        pages.open("/image?name=team/app", "repository-activity")
        if "by alice" in pages.text("tags"):
            break
        time.sleep(1)
    assert "by alice" in pages.text("tags")
    pages.open("/explore", "explore-activity")
    assert "UTC" in chromium.find_element(By.CSS_SELECTOR, "#repositories tbody tr").text


class ConsoleOIDCRegistry(OIDCRegistry):
    """OIDC login (the provider named "Authentik") plus htpasswd, with the console on."""

    def config(self) -> dict:
        config = super().config()
        config["http"]["auth"]["openid"]["providers"]["oidc"]["name"] = "Authentik"
        config["extensions"] = {"ui": {"enable": True}}
        return config


def test_the_sign_in_page_labels_the_provider_with_its_name_and_the_oidc_login_lands_on_the_repositories(oidc_provider, chromium, tmp_path):
    server = ConsoleOIDCRegistry(tmp_path / "console-oidc", users=dict(USERS), access_control=POLICY, provider=oidc_provider)
    server.start()
    try:
        pages = Pages(chromium, server, tmp_path / "screenshots")
        pages.open("/", "login-oidc")
        assert chromium.current_url.endswith("/login")
        button = chromium.find_element(By.ID, "login-oidc")
        assert button.text == "Sign in with Authentik"
        assert chromium.find_elements(By.ID, "login-password"), "htpasswd is configured: the password form is shown too"
        button.click()
        WebDriverWait(chromium, 15).until(lambda d: d.current_url.startswith(oidc_provider.issuer))
        subject = chromium.find_element(By.NAME, "sub")
        subject.send_keys("alice")
        subject.find_element(By.XPATH, "./ancestor::form").find_element(
            By.CSS_SELECTOR, "button[type=submit], input[type=submit], button:not([type])").click()
        pages.wait_for("#repositories")
        assert chromium.current_url.split("?")[0].endswith("/explore")
        assert pages.text("username") == "alice"
        pages.check("explore-oidc")
        pages.open("/user/whoami", "whoami-oidc")
        assert pages.text("method") == "oidc"
    finally:
        server.stop()
