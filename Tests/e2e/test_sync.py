"""The sync extension (Zot's `extensions.sync`) as a pull-through cache and a periodic mirror, with real upstreams:
Debian's `docker-registry` (Distribution 2.8) behind htpasswd and behind the Docker token flow; skopeo and podman
pull `docker.io/library/…`-style names through us; the cache keeps serving when the upstream stops; 20 concurrent
cold pulls cost one upstream transfer; policy runs before any upstream request."""

from __future__ import annotations

import concurrent.futures
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests

from conftest import USERS, build_oci_image, layout_manifest_digest
from authz_support import dev_pki  # noqa: F401 (fixture)
from sync_support import SyncRegistry, TokenIssuer, Upstream, metric

pytestmark = pytest.mark.zot_only

PLAIN_HTTP = "--tls-verify=false"
UPSTREAM_USERS = {"mirror": "mirror-secret-9"}
READ = ["read"]
ALL = ["read", "create", "update", "delete"]
#: The classic pull-through setup: anonymous read on the cached namespace, alice may do anything elsewhere.
ANONYMOUS_CACHE_POLICY = {
    "metrics": {"users": ["alice"]},
    "repositories": {
        "docker.io/**": {"anonymousPolicy": READ, "defaultPolicy": READ},
        "ghcr.io/**": {"anonymousPolicy": READ, "defaultPolicy": READ},
        "**": {"policies": [{"users": ["alice"], "actions": ALL}]},
    },
}


@pytest.fixture
def upstream(tmp_path):
    assert shutil.which("docker-registry"), "docker-registry is not installed (scripts/install-deps.sh installs it)"
    server = Upstream(tmp_path / "upstream", UPSTREAM_USERS).start()
    yield server
    server.stop()


@pytest.fixture
def sync_registry(tmp_path):
    servers = []

    def start(sync: dict, access_control: dict | None = None, **options) -> SyncRegistry:
        server = SyncRegistry(tmp_path / f"zot-{len(servers)}", users=USERS,
                              access_control=ANONYMOUS_CACHE_POLICY if access_control is None else access_control,
                              sync=sync, **options)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()


def credentials_file(tmp_path: Path, upstream: Upstream) -> str:
    path = tmp_path / "sync-credentials.json"
    path.write_text(json.dumps({upstream.host: {"username": "mirror", "password": UPSTREAM_USERS["mirror"]}}))
    return str(path)


def push_upstream(skopeo, tmp_path: Path, upstream: Upstream, name: str, files: dict[str, bytes], tag: str = "latest",
                  creds: str | None = None) -> str:
    """Pushes a one-layer image to the upstream; returns its manifest digest."""
    layout = build_oci_image(tmp_path / f"img-{name.replace('/', '-')}-{tag}", files, tag=tag)
    skopeo.run("copy", "--dest-tls-verify=false", "--dest-creds", creds or f"mirror:{UPSTREAM_USERS['mirror']}",
               f"oci:{layout}:{tag}", f"docker://{upstream.host}/{name}:{tag}")
    return layout_manifest_digest(layout, tag)


def hub_mirror(upstream: Upstream, credentials: str, **registry) -> dict:
    """Zot's popular-registries entry for Docker Hub, pointed at the local upstream."""
    return {"enable": True, "credentialsFile": credentials, "registries": [{
        "urls": [upstream.url], "content": [{"destination": "/docker.io", "prefix": "**"}],
        "onDemand": True, "tlsVerify": True, **registry}]}


def test_skopeo_pulls_a_docker_io_library_name_through_the_cache_and_again_after_the_upstream_stops(
        upstream, sync_registry, skopeo, tmp_path):
    digest = push_upstream(skopeo, tmp_path, upstream, "library/alpine", {"os-release": b"alpine 3.19\n"}, tag="3.19")
    audit = tmp_path / "audit.jsonl"
    cache = sync_registry(hub_mirror(upstream, credentials_file(tmp_path, upstream)), log={"audit": str(audit)})
    first = tmp_path / "first"
    skopeo.run("copy", "--src-tls-verify=false", f"docker://{cache.host}/docker.io/library/alpine:3.19", f"oci:{first}:x")
    assert layout_manifest_digest(first, "x") == digest
    fetched = upstream.requests_from_us("/blobs/")
    assert fetched, "no blob came from the upstream"
    # Stored in our layout under the local name.
    assert (cache.root_dir / "docker.io/library/alpine/index.json").exists()
    events = [json.loads(line) for line in audit.read_text().splitlines() if '"sync-fetch"' in line]
    assert any(e["repository"] == "docker.io/library/alpine" and digest in e["reason"] and e.get("user") is None
               for e in events), events
    assert all(UPSTREAM_USERS["mirror"] not in line for line in audit.read_text().splitlines())
    assert UPSTREAM_USERS["mirror"] not in cache.log_text()

    upstream.stop()
    second = tmp_path / "second"
    result = skopeo.run("copy", "--src-tls-verify=false", f"docker://{cache.host}/docker.io/library/alpine:3.19",
                        f"oci:{second}:x", check=False)
    assert result.returncode == 0, result.stderr + cache.log_tail()
    assert layout_manifest_digest(second, "x") == digest
    assert "serving the cached tag" in cache.log_text()
    assert metric(cache, "zot_authz_sync_cache_hits_total") > 0
    assert metric(cache, "zot_authz_sync_upstream_errors_total") > 0
    assert metric(cache, "zot_authz_sync_upstream_bytes_total") > 0


def test_podman_pulls_through_the_cache(upstream, sync_registry, skopeo, tmp_path, request):
    assert shutil.which("podman"), "podman is not installed (scripts/install-deps.sh installs it)"
    push_upstream(skopeo, tmp_path, upstream, "library/busybox", {"busybox.txt": b"busybox\n"}, tag="1.36")
    cache = sync_registry(hub_mirror(upstream, credentials_file(tmp_path, upstream)))
    runroot = Path(tempfile.mkdtemp(prefix="zps-"))
    request.addfinalizer(lambda: shutil.rmtree(runroot, ignore_errors=True))
    (tmp_path / "podman-auth.json").write_text('{"auths": {}}')
    env = dict(os.environ, REGISTRY_AUTH_FILE=str(tmp_path / "podman-auth.json"), HOME=str(tmp_path / "podman-home"))
    result = subprocess.run(["podman", "--storage-driver", "vfs", "--root", str(tmp_path / "podman-root"), "--runroot",
                             str(runroot), "pull", PLAIN_HTTP, f"{cache.host}/docker.io/library/busybox:1.36"],
                            capture_output=True, text=True, env=env, timeout=180, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr + cache.log_tail()


def test_twenty_concurrent_cold_pulls_make_one_upstream_transfer(upstream, sync_registry, skopeo, tmp_path):
    layer = os.urandom(4 << 20)
    push_upstream(skopeo, tmp_path, upstream, "library/big", {"big.bin": layer}, tag="v1")
    cache = sync_registry(hub_mirror(upstream, credentials_file(tmp_path, upstream)))
    accept = ", ".join(["application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json",
                        "application/vnd.docker.distribution.manifest.v2+json"])

    def pull(_: int) -> tuple[str, int]:
        session = requests.Session()
        manifest = session.get(f"{cache.url}/v2/docker.io/library/big/manifests/v1", headers={"Accept": accept}, timeout=60)
        assert manifest.status_code == 200, manifest.text
        body = manifest.json()
        total = 0
        for descriptor in [body["config"], *body["layers"]]:
            blob = session.get(f"{cache.url}/v2/docker.io/library/big/blobs/{descriptor['digest']}", timeout=60)
            assert blob.status_code == 200, blob.text
            total += len(blob.content)
        return manifest.headers["Docker-Content-Digest"], total

    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(pull, range(20)))
    assert len({digest for digest, _ in results}) == 1
    # Transfers are the 200 answers (the first request of each kind is a 401 that starts authentication).
    layer_gets = [line for line in upstream.requests_from_us("/blobs/", status=200) if line.startswith("GET")]
    assert len(layer_gets) == 2, layer_gets  # config + layer, once each
    manifest_gets = [line for line in upstream.requests_from_us("/manifests/v1", status=200) if line.startswith("GET")]
    assert len(manifest_gets) == 1, manifest_gets


def test_a_denied_anonymous_pull_makes_no_upstream_request(upstream, sync_registry, skopeo, tmp_path):
    push_upstream(skopeo, tmp_path, upstream, "library/secret", {"s.txt": b"s\n"})
    private = {"metrics": {"users": ["alice"]},
               "repositories": {"**": {"policies": [{"users": ["alice"], "actions": READ}]}}}
    cache = sync_registry(hub_mirror(upstream, credentials_file(tmp_path, upstream)), access_control=private)
    before = len(upstream.requests_from_us())
    for path in ["manifests/latest", "blobs/sha256:" + "a" * 64]:
        answer = requests.get(f"{cache.url}/v2/docker.io/library/secret/{path}", timeout=10)
        assert answer.status_code == 401, answer.text
    result = skopeo.run("copy", "--src-tls-verify=false", f"docker://{cache.host}/docker.io/library/secret:latest",
                        f"oci:{tmp_path / 'denied'}:x", check=False)
    assert result.returncode != 0
    time.sleep(0.5)
    assert len(upstream.requests_from_us()) == before == 0
    # alice may read: the same pull reaches the upstream.
    skopeo.run("copy", "--src-tls-verify=false", "--src-creds", f"alice:{USERS['alice']}",
               f"docker://{cache.host}/docker.io/library/secret:latest", f"oci:{tmp_path / 'allowed'}:x")
    assert upstream.requests_from_us("/v2/library/secret/")


def test_the_token_flow_upstream_is_pulled_with_a_cached_token(tmp_path, sync_registry, skopeo):
    issuer = TokenIssuer(tmp_path, UPSTREAM_USERS).start()
    upstream = Upstream(tmp_path / "token-upstream", UPSTREAM_USERS, token=issuer.token_config()).start()
    try:
        # Push with a token minted for the pusher (skopeo runs the token flow itself).
        digest = push_upstream(skopeo, tmp_path, upstream, "team/tool", {"tool.txt": b"tool\n"}, tag="2.0")
        issued_before = len(issuer.requests)
        cache = sync_registry({"credentialsFile": credentials_file(tmp_path, upstream), "registries": [{
            "urls": [upstream.url], "onDemand": True, "content": [{"prefix": "team/**", "destination": "/ghcr.io"}]}]})
        pulled = tmp_path / "token-pulled"
        skopeo.run("copy", "--src-tls-verify=false", f"docker://{cache.host}/ghcr.io/team/tool:2.0", f"oci:{pulled}:x")
        assert layout_manifest_digest(pulled, "x") == digest
        ours = issuer.requests[issued_before:]
        assert ours and all(user == "mirror" and scope == "repository:team/tool:pull" for user, scope in ours), ours
        # One token for the manifest and both blobs (cached until expiry).
        assert len(ours) == 1, ours
    finally:
        upstream.stop()
        issuer.stop()


def test_periodic_sync_mirrors_the_catalog_with_tag_filters(upstream, sync_registry, skopeo, tmp_path):
    for tag in ["1.0.0", "1.1.0", "latest", "2.0.0-amd64"]:
        push_upstream(skopeo, tmp_path, upstream, "apps/web", {f"{tag}.txt": tag.encode()}, tag=tag)
    push_upstream(skopeo, tmp_path, upstream, "other/thing", {"t.txt": b"t"}, tag="1.0.0")
    cache = sync_registry({"credentialsFile": credentials_file(tmp_path, upstream), "registries": [{
        "urls": [upstream.url], "pollInterval": "1h", "onDemand": False,
        "content": [{"prefix": "apps/**", "destination": "/mirror",
                     "tags": {"semver": True, "excludeRegex": ".*-amd64$"}}]}]},
        access_control={"metrics": {"users": ["alice"]},
                        "repositories": {"**": {"anonymousPolicy": READ}}})
    deadline = time.monotonic() + 60
    tags = []
    while time.monotonic() < deadline:
        answer = requests.get(f"{cache.url}/v2/mirror/apps/web/tags/list", timeout=5)
        if answer.status_code == 200:
            tags = answer.json()["tags"]
            if tags == ["1.0.0", "1.1.0"] and "periodic sync finished" in cache.log_text():
                break
        time.sleep(0.3)
    assert tags == ["1.0.0", "1.1.0"], cache.log_tail()
    assert requests.get(f"{cache.url}/v2/other/thing/tags/list", timeout=5).status_code == 404
    assert requests.get(f"{cache.url}/v2/mirror/other/thing/tags/list", timeout=5).status_code == 404
    # Mirrored with every blob: pullable with the upstream stopped.
    upstream.stop()
    skopeo.run("copy", "--src-tls-verify=false", f"docker://{cache.host}/mirror/apps/web:1.1.0", f"oci:{tmp_path / 'm'}:x")
    assert metric(cache, "zot_authz_sync_periodic_runs_total") >= 1


def test_the_popular_registries_config_shape_works_unchanged(upstream, sync_registry, skopeo, tmp_path):
    """Zot's examples/config-popular-registries.json, with every URL pointed at the local upstream."""
    push_upstream(skopeo, tmp_path, upstream, "library/nginx", {"n.txt": b"nginx\n"}, tag="1.25")
    push_upstream(skopeo, tmp_path, upstream, "project/app", {"a.txt": b"app\n"}, tag="v1")
    registries = []
    for destination in ["/docker.io", "/registry.gitlab.com", "ghcr.io", "/quay.io", "/gcr.io", "/registry.k8s.io"]:
        registries.append({"urls": [upstream.url], "content": [{"destination": destination, "prefix": "**"}],
                           "onDemand": True, "tlsVerify": True})
    sync = {"credentialsFile": credentials_file(tmp_path, upstream), "enable": True, "registries": registries}
    cache = sync_registry(sync)
    skopeo.run("copy", "--src-tls-verify=false", f"docker://{cache.host}/docker.io/library/nginx:1.25", f"oci:{tmp_path / 'n'}:x")
    skopeo.run("copy", "--src-tls-verify=false", f"docker://{cache.host}/ghcr.io/project/app:v1", f"oci:{tmp_path / 'g'}:x")
    missing = requests.get(f"{cache.url}/v2/quay.io/nothing/here/manifests/v1", timeout=10, auth=("alice", USERS["alice"]))
    assert missing.status_code == 404


def test_a_cold_blob_streams_to_the_client_while_it_is_stored(upstream, sync_registry, skopeo, tmp_path):
    """Through an upstream link of ~1 MiB/s, the first bytes of a cold 4 MiB layer reach the client long before
    the layer is complete upstream-side; the bytes and digest are right and the blob is stored for the next pull."""
    from sync_support import SlowProxy
    from registry_client import sha256_digest

    layer = os.urandom(4 << 20)
    push_upstream(skopeo, tmp_path, upstream, "library/slow", {"slow.bin": layer}, tag="v1")
    proxy = SlowProxy(upstream.port)
    try:
        credentials = tmp_path / "proxy-credentials.json"
        credentials.write_text(json.dumps({f"127.0.0.1:{proxy.port}": {"username": "mirror", "password": UPSTREAM_USERS["mirror"]}}))
        cache = sync_registry({"credentialsFile": str(credentials), "registries": [{
            "urls": [proxy.url], "onDemand": True, "content": [{"prefix": "**", "destination": "/docker.io"}]}]})
        manifest = requests.get(f"{cache.url}/v2/docker.io/library/slow/manifests/v1", timeout=30,
                                headers={"Accept": "application/vnd.oci.image.manifest.v1+json"}).json()
        big = max(manifest["layers"], key=lambda d: d["size"])
        started = time.monotonic()
        with requests.get(f"{cache.url}/v2/docker.io/library/slow/blobs/{big['digest']}", stream=True, timeout=60) as answer:
            assert answer.status_code == 200
            assert int(answer.headers["Content-Length"]) == big["size"]
            chunks = answer.iter_content(64 << 10)
            first = next(chunks)
            first_byte = time.monotonic() - started
            body = first + b"".join(chunks)
        total = time.monotonic() - started
        assert sha256_digest(body) == big["digest"]
        assert first_byte < total / 2, (first_byte, total)
        assert total > 2, total  # the link really was slow
        again = requests.get(f"{cache.url}/v2/docker.io/library/slow/blobs/{big['digest']}", timeout=10)
        assert again.status_code == 200 and sha256_digest(again.content) == big["digest"]
    finally:
        proxy.stop()


def pull_digest(cache, name: str, tag: str) -> requests.Response:
    return requests.get(f"{cache.url}/v2/{name}/manifests/{tag}", timeout=30,
                        headers={"Accept": "application/vnd.oci.image.manifest.v1+json"})


def test_a_moved_upstream_tag_does_not_overwrite_the_cache_unless_the_rule_allows_tag_updates(
        upstream, sync_registry, skopeo, tmp_path):
    first = push_upstream(skopeo, tmp_path, upstream, "library/app", {"v.txt": b"one\n"}, tag="stable")
    pinned = sync_registry(hub_mirror(upstream, credentials_file(tmp_path, upstream)))
    following = sync_registry({"credentialsFile": credentials_file(tmp_path, upstream), "registries": [{
        "urls": [upstream.url], "onDemand": True,
        "content": [{"prefix": "**", "destination": "/docker.io", "allowTagUpdates": True}]}]})
    for cache in (pinned, following):
        assert pull_digest(cache, "docker.io/library/app", "stable").headers["Docker-Content-Digest"] == first
    second = push_upstream(skopeo, tmp_path / "again", upstream, "library/app", {"v.txt": b"two\n"}, tag="stable")
    assert second != first
    assert pull_digest(pinned, "docker.io/library/app", "stable").headers["Docker-Content-Digest"] == first
    assert "upstream moved a cached tag" in pinned.log_text()
    assert pull_digest(following, "docker.io/library/app", "stable").headers["Docker-Content-Digest"] == second


def test_only_signed_refuses_an_unsigned_image_and_accepts_one_with_a_cosign_signature_tag(
        upstream, sync_registry, skopeo, tmp_path):
    unsigned = push_upstream(skopeo, tmp_path, upstream, "library/unsigned", {"u.txt": b"u\n"}, tag="v1")
    signed = push_upstream(skopeo, tmp_path, upstream, "library/signed", {"s.txt": b"s\n"}, tag="v1")
    # A cosign-style signature: any manifest under the tag sha256-<hex>.sig.
    push_upstream(skopeo, tmp_path / "sig", upstream, "library/signed", {"sig": b"signature\n"},
                  tag=f"sha256-{signed.split(':')[1]}.sig")
    cache = sync_registry(hub_mirror(upstream, credentials_file(tmp_path, upstream), onlySigned=True))
    refused = pull_digest(cache, "docker.io/library/unsigned", "v1")
    assert refused.status_code == 404, refused.text
    assert "onlySigned" in cache.log_text() or "no cosign signature" in cache.log_text()
    assert not (cache.root_dir / "docker.io/library/unsigned/index.json").exists() or unsigned not in \
        (cache.root_dir / "docker.io/library/unsigned/index.json").read_text()
    accepted = pull_digest(cache, "docker.io/library/signed", "v1")
    assert accepted.status_code == 200 and accepted.headers["Docker-Content-Digest"] == signed
    # The signature comes along (in the background): its tag and its blobs are served from our storage.
    signature_tag = f"sha256-{signed.split(':')[1]}.sig"
    deadline = time.monotonic() + 10
    tags = []
    while time.monotonic() < deadline and signature_tag not in tags:
        tags = requests.get(f"{cache.url}/v2/docker.io/library/signed/tags/list", timeout=5).json().get("tags", [])
        time.sleep(0.1)
    assert signature_tag in tags, tags
    index = json.loads((cache.root_dir / "docker.io/library/signed/index.json").read_text())
    assert any(m.get("annotations", {}).get("org.opencontainers.image.ref.name") == signature_tag for m in index["manifests"])


def test_the_pull_through_cache_stores_through_the_s3_driver(upstream, sync_registry, skopeo, tmp_path):
    from test_s3_storage import MotoS3, s3_storage

    (tmp_path / "moto").mkdir()
    moto = MotoS3(tmp_path / "moto")
    try:
        moto.s3.create_bucket(Bucket="cache")
        digest = push_upstream(skopeo, tmp_path, upstream, "library/s3img", {"s3.txt": os.urandom(300_000)}, tag="v1")
        cache = sync_registry(hub_mirror(upstream, credentials_file(tmp_path, upstream)),
                              storage={"storageDriver": s3_storage(moto, "cache")["storageDriver"]})
        first = tmp_path / "s3-first"
        skopeo.run("copy", "--src-tls-verify=false", f"docker://{cache.host}/docker.io/library/s3img:v1", f"oci:{first}:x")
        assert layout_manifest_digest(first, "x") == digest
        keys = moto.keys("cache")
        assert "zot/zot/docker.io/library/s3img/index.json" in keys, keys
        assert any(key.startswith("zot/zot/docker.io/library/s3img/blobs/sha256/") for key in keys)
        upstream.stop()
        again = tmp_path / "s3-again"
        skopeo.run("copy", "--src-tls-verify=false", f"docker://{cache.host}/docker.io/library/s3img:v1", f"oci:{again}:x")
        assert layout_manifest_digest(again, "x") == digest
    finally:
        moto.stop()


def test_a_sync_edit_applies_without_a_restart(upstream, sync_registry, skopeo, tmp_path):
    digest = push_upstream(skopeo, tmp_path, upstream, "library/busybox", {"busybox.txt": b"busybox\n"}, tag="1.36")
    mirror = hub_mirror(upstream, credentials_file(tmp_path, upstream))
    mirror["registries"][0]["content"] = [{"destination": "/ghcr.io", "prefix": "**"}]
    cache = sync_registry(mirror, log={"audit": str(tmp_path / "audit.jsonl")})
    name = f"{cache.host}/docker.io/library/busybox:1.36"
    missing = skopeo.run("copy", "--src-tls-verify=false", f"docker://{name}", f"oci:{tmp_path / 'before'}:x", check=False)
    assert missing.returncode != 0, "docker.io/** is not mapped yet"
    pid = cache.pid
    config_path = cache.workdir / "config.json"
    config = json.loads(config_path.read_text())
    config["extensions"]["sync"]["registries"][0]["content"] = [{"destination": "/docker.io", "prefix": "**"}]
    config_path.write_text(json.dumps(config, indent=2))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "config reloaded" not in cache.log_text():
        time.sleep(0.2)
    assert "config reloaded" in cache.log_text(), cache.log_tail()
    after = tmp_path / "after"
    skopeo.run("copy", "--src-tls-verify=false", f"docker://{name}", f"oci:{after}:x")
    assert layout_manifest_digest(after, "x") == digest
    assert cache.pid == pid and cache.process.poll() is None
    reloads = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines() if '"config-reload"' in line]
    assert reloads and reloads[-1]["result"] == "allow" and "needs restart" not in reloads[-1]["reason"], reloads


def test_tls_is_verified_by_default_and_cert_dir_brings_the_ca_and_a_client_certificate(dev_pki, sync_registry, skopeo, tmp_path):
    """An HTTPS upstream with a private CA that requires client certificates: without certDir the pull fails
    (verification is on by default); with certDir (ca.crt, client.cert + client.key) it works."""
    tls = {"cert": dev_pki.file("server.crt"), "key": dev_pki.file("server.key"), "clientcas": dev_pki.ca,
           "ready_cert": dev_pki.client_pair("alice")}
    upstream = Upstream(tmp_path / "tls-upstream", UPSTREAM_USERS, tls=tls).start()
    try:
        certs = dev_pki.cert_dir("alice")
        layout = build_oci_image(tmp_path / "tls-img", {"t.txt": b"tls\n"})
        skopeo.run("copy", "--dest-cert-dir", certs, "--dest-creds", f"mirror:{UPSTREAM_USERS['mirror']}",
                   f"oci:{layout}:latest", f"docker://{upstream.host}/library/secure:v1")
        digest = layout_manifest_digest(layout, "latest")
        credentials = credentials_file(tmp_path, upstream)
        untrusting = sync_registry(hub_mirror(upstream, credentials))
        assert pull_digest(untrusting, "docker.io/library/secure", "v1").status_code == 404
        failures = [line for line in untrusting.log_text().splitlines() if "upstream request failed" in line]
        assert failures and "certificate" in failures[0].lower(), failures
        trusting = sync_registry(hub_mirror(upstream, credentials, certDir=certs))
        answer = pull_digest(trusting, "docker.io/library/secure", "v1")
        assert answer.status_code == 200 and answer.headers["Docker-Content-Digest"] == digest
    finally:
        upstream.stop()


def test_the_credentials_file_is_reloaded_when_it_changes(upstream, sync_registry, skopeo, tmp_path):
    digest = push_upstream(skopeo, tmp_path, upstream, "library/creds", {"c.txt": b"c\n"}, tag="v1")
    path = tmp_path / "changing-credentials.json"
    path.write_text(json.dumps({upstream.host: {"username": "mirror", "password": "wrong-password"}}))
    cache = sync_registry({"credentialsFile": str(path), "registries": [{
        "urls": [upstream.url], "onDemand": True, "content": [{"prefix": "**", "destination": "/docker.io"}]}]})
    assert pull_digest(cache, "docker.io/library/creds", "v1").status_code == 404
    path.write_text(json.dumps({upstream.host: {"username": "mirror", "password": UPSTREAM_USERS["mirror"]}}))
    time.sleep(1.2)
    answer = pull_digest(cache, "docker.io/library/creds", "v1")
    assert answer.status_code == 200 and answer.headers["Docker-Content-Digest"] == digest
    assert "wrong-password" not in cache.log_text() and UPSTREAM_USERS["mirror"] not in cache.log_text()


def test_verify_names_a_typo_inside_sync_with_its_path(tmp_path):
    from conftest import server_binary

    config = tmp_path / "typo.json"
    config.write_text(json.dumps({"storage": {"rootDirectory": str(tmp_path / "root")}, "extensions": {"sync": {
        "registries": [{"urls": ["https://index.docker.io"], "onDemnd": True,
                        "content": [{"prefix": "**", "destination": "/docker.io"}]}]}}}))
    result = subprocess.run([str(server_binary()), "verify", str(config)], capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "extensions.sync.registries[0].onDemnd" in output and "onDemand" in output, output


def test_a_multi_arch_index_brings_its_platform_manifests_and_a_platform_pull_works_from_cache(
        upstream, sync_registry, skopeo, tmp_path):
    """An OCI index of amd64 and arm64 images upstream: pulling the index stores every platform manifest; skopeo then
    pulls the arm64 image through us, and with the upstream stopped the index and both manifests are still served."""
    auth = ("mirror", UPSTREAM_USERS["mirror"])
    children = []
    for arch in ["amd64", "arm64"]:
        layout = build_oci_image(tmp_path / f"multi-{arch}", {f"{arch}.txt": arch.encode()}, tag=arch, architecture=arch)
        skopeo.run("copy", "--dest-tls-verify=false", "--dest-creds", f"mirror:{UPSTREAM_USERS['mirror']}",
                   f"oci:{layout}:{arch}", f"docker://{upstream.host}/library/multi:{arch}")
        manifest = requests.get(f"{upstream.url}/v2/library/multi/manifests/{arch}", auth=auth, timeout=10,
                                headers={"Accept": "application/vnd.oci.image.manifest.v1+json"})
        children.append({"mediaType": "application/vnd.oci.image.manifest.v1+json",
                         "digest": manifest.headers["Docker-Content-Digest"], "size": len(manifest.content),
                         "platform": {"os": "linux", "architecture": arch}})
    index = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                        "manifests": children}).encode()
    put = requests.put(f"{upstream.url}/v2/library/multi/manifests/1.0", data=index, auth=auth, timeout=10,
                       headers={"Content-Type": "application/vnd.oci.image.index.v1+json"})
    assert put.status_code == 201, put.text
    cache = sync_registry(hub_mirror(upstream, credentials_file(tmp_path, upstream)))
    pulled = tmp_path / "arm"
    skopeo.run("copy", "--src-tls-verify=false", "--override-arch", "arm64",
               f"docker://{cache.host}/docker.io/library/multi:1.0", f"oci:{pulled}:x")
    assert layout_manifest_digest(pulled, "x") == children[1]["digest"]
    upstream.stop()
    accept = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json"
    got = requests.get(f"{cache.url}/v2/docker.io/library/multi/manifests/1.0", headers={"Accept": accept}, timeout=10)
    assert got.status_code == 200 and got.content == index
    for child in children:
        answer = requests.get(f"{cache.url}/v2/docker.io/library/multi/manifests/{child['digest']}",
                              headers={"Accept": accept}, timeout=10)
        assert answer.status_code == 200, child


def test_download_dir_stages_blobs_and_max_download_bytes_refuses_a_larger_one(upstream, sync_registry, skopeo, tmp_path):
    small = push_upstream(skopeo, tmp_path, upstream, "library/small", {"s.bin": os.urandom(100_000)}, tag="v1")
    push_upstream(skopeo, tmp_path, upstream, "library/large", {"l.bin": os.urandom(3 << 20)}, tag="v1")
    staging = tmp_path / "downloads"
    sync = hub_mirror(upstream, credentials_file(tmp_path, upstream))
    sync.update({"downloadDir": str(staging), "maxDownloadBytes": 1 << 20})
    cache = sync_registry(sync)
    pulled = tmp_path / "small-pulled"
    skopeo.run("copy", "--src-tls-verify=false", f"docker://{cache.host}/docker.io/library/small:v1", f"oci:{pulled}:x")
    assert layout_manifest_digest(pulled, "x") == small
    assert staging.is_dir() and list(staging.iterdir()) == []  # staged files are removed once stored
    refused = skopeo.run("copy", "--src-tls-verify=false", f"docker://{cache.host}/docker.io/library/large:v1",
                         f"oci:{tmp_path / 'large-pulled'}:x", check=False)
    assert refused.returncode != 0
    assert "exceed maxDownloadBytes" in cache.log_text()
