"""deploy/build-image.sh: the container image is built with buildah (no daemon, vfs storage) from the binary
under test, pushed to a running zot-authz, pulled back with skopeo, and its root filesystem — nothing but the
binary, the libraries ldd names, CA certificates and a config — runs the binary (chroot, as root)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from authz_support import AuthzRegistry
from conftest import OPEN_POLICY, REPO_ROOT, server_binary

pytestmark = [pytest.mark.zot_only,
              pytest.mark.skipif(shutil.which("buildah") is None or shutil.which("umoci") is None,
                                 reason="buildah and umoci are needed")]

BUILD_IMAGE = REPO_ROOT / "deploy/build-image.sh"
USERS = {"alice": "alice-image-1"}


def run(*args: str | Path, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    done = subprocess.run([str(arg) for arg in args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})
    assert done.returncode == 0, f"{' '.join(map(str, args))}:\n{done.stdout}{done.stderr}"
    return done


@pytest.mark.skipif(os.geteuid() != 0, reason="running the unpacked rootfs needs chroot and a mount namespace (root)")
def test_the_image_builds_with_buildah_pushes_to_zot_authz_and_its_rootfs_runs_the_binary(tmp_path: Path):
    storage = tmp_path / "buildah"
    image = "localhost/zot-authz:e2e"
    run(BUILD_IMAGE, server_binary(), image, env={"BUILDAH_ROOT": str(storage)})
    server = AuthzRegistry(tmp_path / "image-registry", users=dict(USERS),
                           access_control={"repositories": {"**": {"defaultPolicy": ["read", "create", "update", "delete"]}}})
    server.start()
    try:
        buildah = ["buildah", "--storage-driver", "vfs", "--root", storage / "root", "--runroot", storage / "runroot"]
        run(*buildah, "push", "--tls-verify=false", "--creds", f"alice:{USERS['alice']}", image,
            f"docker://{server.host}/zot-authz:e2e")
        layout = tmp_path / "pulled"
        run("skopeo", "copy", "--src-tls-verify=false", "--src-creds", f"alice:{USERS['alice']}",
            f"docker://{server.host}/zot-authz:e2e", f"oci:{layout}:e2e")
    finally:
        server.stop()
    bundle = tmp_path / "bundle"
    run("umoci", "unpack", "--image", f"{layout}:e2e", bundle)
    config = json.loads((bundle / "config.json").read_text())
    assert config["process"]["args"] == ["/usr/local/bin/zot-authz", "serve", "/etc/zot-authz/config.json"]
    assert config["process"]["user"]["uid"] == 65532
    rootfs = bundle / "rootfs"
    top = sorted(path.name for path in rootfs.iterdir())
    assert set(top) <= {"etc", "lib", "lib64", "opt", "tmp", "usr", "var", "proc"}, top
    assert not (rootfs / "bin/sh").exists() and not (rootfs / "usr/bin").exists(), "the image has more than the binary"
    assert (rootfs / "var/lib/zot-authz").stat().st_uid == 65532
    # As a container runtime would: a private mount namespace with /proc (Swift reads its arguments there).
    (rootfs / "proc").mkdir(exist_ok=True)
    inside = f"mount -t proc proc {rootfs}/proc && exec chroot {rootfs} /usr/local/bin/zot-authz"
    version = run("unshare", "--mount", "--fork", "sh", "-c", f"{inside} --version")
    assert version.stdout.startswith("zot-authz "), version.stdout
    run("unshare", "--mount", "--fork", "sh", "-c", f"{inside} verify /etc/zot-authz/config.json")


RELEASE = Path(os.environ.get("ZOT_AUTHZ_RELEASE_BIN", REPO_ROOT / ".build-release/release/dist/zot-authz"))


@pytest.mark.skipif(not RELEASE.exists(), reason="no stripped release binary (scripts/build-release.sh .build-release)")
def test_the_stripped_release_binary_needs_only_glibc_and_keeps_its_debug_info_beside_it():
    libraries = run("ldd", RELEASE).stdout
    names = sorted({line.split()[0] for line in libraries.splitlines() if line.strip()})
    glibc = {"linux-vdso.so.1", "libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1",
             "libutil.so.1", "/lib64/ld-linux-x86-64.so.2"}
    assert set(names) <= glibc, f"not glibc: {sorted(set(names) - glibc)}"
    sections = run("readelf", "-S", RELEASE).stdout
    assert ".debug_info" not in sections and ".gnu_debuglink" in sections
    debug = RELEASE.with_name("zot-authz.debug")
    assert ".debug_info" in run("readelf", "-S", debug).stdout
