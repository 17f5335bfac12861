"""Access-control journeys with real skopeo: a create-only CI user, anonymous reads of a public tree,
an admin with break-glass rights, and a catalog filtered by what the caller may read."""

from __future__ import annotations

import json

import pytest
import requests

from authz_support import (PLAIN_HTTP, assert_challenge, authz_registry, failure_text,  # noqa: F401 (fixtures)
                           image_layout, refused_as_forbidden)
from conftest import ALL_ACTIONS, layout_manifest_digest
from registry_client import OCI_MANIFEST, RegistryClient, assert_oci_error

pytestmark = pytest.mark.zot_only

USERS = {"ci": "ci-secret", "alice": "alice-secret", "root": "root-secret"}


def creds(user: str) -> str:
    return f"{user}:{USERS[user]}"


def manifest_digest(server, user: str, repo: str, tag: str) -> str | None:
    answer = requests.head(f"{server.url}/v2/{repo}/manifests/{tag}", auth=(user, USERS[user]),
                           headers={"Accept": OCI_MANIFEST}, timeout=10)
    return answer.headers.get("Docker-Content-Digest") if answer.status_code == 200 else None


def test_create_only_user_pushes_new_tags_but_cannot_overwrite_or_delete(authz_registry, skopeo, tmp_path):
    access = {"repositories": {"ci/**": {"policies": [{"users": ["ci"], "actions": ["read", "create"]}]}}}
    server = authz_registry(users=USERS, access_control=access)
    first = image_layout(tmp_path, "first", b"first build\n")
    second = image_layout(tmp_path, "second", b"second build\n")
    v1 = f"docker://{server.host}/ci/app:v1"

    skopeo.run("copy", "--dest-tls-verify=false", "--dest-creds", creds("ci"), first, v1)
    original = manifest_digest(server, "ci", "ci/app", "v1")
    assert original == layout_manifest_digest(tmp_path / "first/layout", "latest")

    overwrite = skopeo.run("copy", "--dest-tls-verify=false", "--dest-creds", creds("ci"), second, v1, check=False)
    assert refused_as_forbidden(overwrite), f"overwriting a tag needs update: {overwrite.stderr}"
    assert manifest_digest(server, "ci", "ci/app", "v1") == original, "the refused overwrite moved the tag"

    client = RegistryClient(server.url, auth=("ci", USERS["ci"]))
    raw_manifest = client.get("/v2/ci/app/manifests/v1", headers={"Accept": OCI_MANIFEST}).content
    same_again = client.put_manifest("ci/app", "v1", raw_manifest)
    assert same_again.status_code == 201, f"an identical re-push (a CI retry) must be a no-op: {same_again.text}"
    assert manifest_digest(server, "ci", "ci/app", "v1") == original
    assert "tag v1 exists and user ci may create but not update ci/app" in overwrite.stderr, overwrite.stderr

    delete = skopeo.run("delete", PLAIN_HTTP, "--creds", creds("ci"), v1, check=False)
    assert refused_as_forbidden(delete), f"deleting needs delete: {delete.stderr}"
    assert_oci_error(client.delete(f"/v2/ci/app/manifests/{original}"), 403, "DENIED")
    assert manifest_digest(server, "ci", "ci/app", "v1") == original

    skopeo.run("copy", "--dest-tls-verify=false", "--dest-creds", creds("ci"), second,
               f"docker://{server.host}/ci/app:v2")
    tags = json.loads(skopeo.run("list-tags", PLAIN_HTTP, "--creds", creds("ci"),
                                 f"docker://{server.host}/ci/app").stdout)
    assert sorted(tags["Tags"]) == ["v1", "v2"]


def test_anonymous_users_read_the_public_tree_only(authz_registry, skopeo, tmp_path):
    access = {"repositories": {
        "public/**": {"anonymousPolicy": ["read"], "defaultPolicy": ALL_ACTIONS},
        "private/**": {"policies": [{"users": ["alice"], "actions": ALL_ACTIONS}]},
    }}
    server = authz_registry(users=USERS, access_control=access)
    source = image_layout(tmp_path, "shared", b"shared content\n")
    for repo in ("public/tool", "private/x"):
        skopeo.run("copy", "--dest-tls-verify=false", "--dest-creds", creds("alice"), source,
                   f"docker://{server.host}/{repo}:v1")

    pulled = tmp_path / "pulled"
    private = skopeo.run("copy", "--src-tls-verify=false", f"docker://{server.host}/private/x:v1",
                         f"oci:{pulled}:private", check=False)
    assert private.returncode != 0, "anonymous pull of a private repository succeeded"
    assert "401" in private.stderr or "unauthorized" in failure_text(private) \
        or "authentication required" in failure_text(private), private.stderr
    assert_challenge(requests.get(f"{server.url}/v2/private/x/manifests/v1", headers={"Accept": OCI_MANIFEST},
                                  timeout=10))
    signed_in_elsewhere = requests.get(f"{server.url}/v2/private/x/manifests/v1", auth=("ci", USERS["ci"]),
                                       headers={"Accept": OCI_MANIFEST}, timeout=10)
    assert_oci_error(signed_in_elsewhere, 403, "DENIED")

    anonymous_push = skopeo.run("copy", "--dest-tls-verify=false", source,
                                f"docker://{server.host}/public/tool:v2", check=False)
    assert anonymous_push.returncode != 0, "anonymousPolicy [read] let an anonymous client push"

    public = requests.get(f"{server.url}/v2/public/tool/manifests/v1", headers={"Accept": OCI_MANIFEST}, timeout=10)
    assert public.status_code == 200, f"anonymous raw GET of a public manifest: {public.status_code} {public.text}"
    skopeo.run("copy", "--src-tls-verify=false", f"docker://{server.host}/public/tool:v1", f"oci:{pulled}:v1")
    assert layout_manifest_digest(pulled, "v1") == layout_manifest_digest(tmp_path / "shared/layout", "latest")


def test_empty_basic_credentials_count_as_anonymous_as_in_zot(authz_registry):
    """After a Basic challenge, skopeo/podman without credentials send `Authorization: Basic Og==` (":"):
    Zot treats that header as no header at all (isAuthorizationHeaderEmpty), so anonymousPolicy applies."""
    access = {"repositories": {"public/**": {"anonymousPolicy": ["read"], "defaultPolicy": ALL_ACTIONS}}}
    server = authz_registry(users=USERS, access_control=access)
    RegistryClient(server.url, auth=("alice", USERS["alice"])).push_image("public/tool", "v1")
    empty = requests.get(f"{server.url}/v2/public/tool/tags/list", headers={"Authorization": "Basic Og=="},
                         timeout=10)
    assert empty.status_code == 200, f"Authorization: Basic Og== on a public repository: {empty.status_code} {empty.text}"
    assert empty.json()["tags"] == ["v1"]
    push = requests.post(f"{server.url}/v2/public/tool/blobs/uploads/", headers={"Authorization": "Basic Og=="},
                         timeout=10)
    assert_challenge(push)


def test_admin_pushes_overwrites_and_deletes_anywhere(authz_registry, skopeo, tmp_path):
    access = {
        "repositories": {"team-a/**": {"policies": [{"users": ["alice"], "actions": ["read", "create"]}]}},
        "adminPolicy": {"users": ["root"], "actions": ALL_ACTIONS},
    }
    server = authz_registry(users=USERS, access_control=access)
    first = image_layout(tmp_path, "first", b"admin first\n")
    second = image_layout(tmp_path, "second", b"admin second\n")

    for repo in ("team-a/app", "elsewhere/tool"):
        image = f"docker://{server.host}/{repo}:v1"
        skopeo.run("copy", "--dest-tls-verify=false", "--dest-creds", creds("root"), first, image)
        skopeo.run("copy", "--dest-tls-verify=false", "--dest-creds", creds("root"), second, image)
        assert manifest_digest(server, "root", repo, "v1") == layout_manifest_digest(tmp_path / "second/layout",
                                                                                    "latest")
    alice_delete = skopeo.run("delete", PLAIN_HTTP, "--creds", creds("alice"),
                              f"docker://{server.host}/team-a/app:v1", check=False)
    assert refused_as_forbidden(alice_delete), f"alice holds no delete grant: {alice_delete.stderr}"
    for repo in ("team-a/app", "elsewhere/tool"):
        skopeo.run("delete", PLAIN_HTTP, "--creds", creds("root"), f"docker://{server.host}/{repo}:v1")
        assert manifest_digest(server, "root", repo, "v1") is None, f"{repo}:v1 still there after the admin's delete"
    alice_elsewhere = skopeo.run("copy", "--dest-tls-verify=false", "--dest-creds", creds("alice"), first,
                                 f"docker://{server.host}/elsewhere/tool:v2", check=False)
    assert refused_as_forbidden(alice_elsewhere), alice_elsewhere.stderr


def test_catalog_lists_only_repositories_the_caller_may_read(authz_registry):
    access = {
        "repositories": {
            "team-a/**": {"policies": [{"users": ["alice"], "actions": ["read"]}]},
            "team-b/**": {"policies": [{"users": ["ci"], "actions": ["read"]}]},
        },
        "adminPolicy": {"users": ["root"], "actions": ALL_ACTIONS},
    }
    server = authz_registry(users=USERS, access_control=access)
    admin = RegistryClient(server.url, auth=("root", USERS["root"]))
    repos = ["team-a/one", "team-a/two/deep", "team-b/one", "team-ab/x", "other/z"]
    for repo in repos:
        admin.push_image(repo, "v1")

    def catalog(user: str) -> list[str]:
        answer = requests.get(f"{server.url}/v2/_catalog", auth=(user, USERS[user]), timeout=10)
        assert answer.status_code == 200, f"{user}: {answer.status_code} {answer.text}"
        return answer.json()["repositories"]

    assert sorted(catalog("alice")) == ["team-a/one", "team-a/two/deep"]
    assert sorted(catalog("ci")) == ["team-b/one"]
    assert sorted(catalog("root")) == sorted(repos)
