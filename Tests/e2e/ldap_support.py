"""A throwaway OpenLDAP directory for the LDAP end-to-end tests.

`slapd` runs in the foreground (`-d 0`) from a slapd.conf written into a temporary directory: mdb backend,
memberOf overlay, a TLS certificate for IP 127.0.0.1 signed by a throwaway CA, listening on
`ldap://127.0.0.1:P1/` (plain + StartTLS) and `ldaps://127.0.0.1:P2/`. Users are loaded with `slapadd` before
the first start; groups are added with `ldapadd` afterwards (slapadd bypasses the memberOf overlay). Anonymous
users may not read anything, so the registry must bind as the service account `cn=reader` to search.

Fixtures must be imported into the test module (`from ldap_support import ldap_directory, ldap_pki`).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import free_port, stop_process

BASE_DN = "dc=example,dc=org"
PEOPLE_DN = f"ou=people,{BASE_DN}"
GROUPS_DN = f"ou=groups,{BASE_DN}"
ROOT_DN = f"cn=admin,{BASE_DN}"
ROOT_PASSWORD = "root-secret"
SERVICE_DN = f"cn=reader,{BASE_DN}"
SERVICE_PASSWORD = "reader-secret"
#: Directory users and their passwords. `star*name` proves escaping matches a literal `*`; the two `twin`
#: entries share one uid (an ambiguous login that must be refused).
USERS = {"alice": "alice-ldap-pw", "bob": "bob-ldap-pw", "carol": "carol-ldap-pw", "dave": "dave-ldap-pw",
         "star*name": "star-ldap-pw", "twin": "twin-ldap-pw"}
#: Groups (groupOfNames) and their members.
GROUPS = {"devs": ["alice", "carol", "dave"], "ops": ["alice"]}
READY_TIMEOUT_SECONDS = 10.0


def _run(*args: str, input_text: str | None = None) -> None:
    result = subprocess.run(list(args), capture_output=True, text=True, input=input_text, timeout=60)
    if result.returncode != 0:
        pytest.fail(f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")


def ldif_escape(value: str) -> str:
    """Escapes RDN specials (RFC 4514) for use in a DN."""
    return "".join("\\" + c if c in ',+"\\<>;=' else c for c in value)


def user_dn(name: str) -> str:
    return f"uid={ldif_escape(name)},{PEOPLE_DN}"


@dataclass(frozen=True)
class LdapPKI:
    """A CA and a server certificate for IP 127.0.0.1, plus an unrelated CA that must not verify it."""

    directory: Path

    @property
    def ca(self) -> str:
        return str(self.directory / "ca.crt")

    @property
    def wrong_ca(self) -> str:
        return str(self.directory / "wrong-ca.crt")

    @property
    def server_cert(self) -> str:
        return str(self.directory / "server.crt")

    @property
    def server_key(self) -> str:
        return str(self.directory / "server.key")


def make_pki(directory: Path) -> LdapPKI:
    directory.mkdir(parents=True, exist_ok=True)
    for name in ("ca", "wrong-ca"):
        _run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-keyout", str(directory / f"{name}.key"), "-out", str(directory / f"{name}.crt"),
             "-subj", f"/CN=zot-authz e2e {name}", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    _run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(directory / "server.key"),
         "-out", str(directory / "server.csr"), "-subj", "/CN=127.0.0.1")
    extensions = directory / "server.ext"
    extensions.write_text("subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"
                          "keyUsage=critical,digitalSignature,keyEncipherment\n")
    _run("openssl", "x509", "-req", "-in", str(directory / "server.csr"), "-CA", str(directory / "ca.crt"),
         "-CAkey", str(directory / "ca.key"), "-CAcreateserial", "-days", "2", "-extfile", str(extensions),
         "-out", str(directory / "server.crt"))
    os.chmod(directory / "server.key", 0o644)
    return LdapPKI(directory)


@pytest.fixture(scope="session")
def ldap_pki(tmp_path_factory: pytest.TempPathFactory) -> LdapPKI:
    return make_pki(tmp_path_factory.mktemp("ldap-pki"))


def slapd_conf(workdir: Path, pki: LdapPKI) -> str:
    return f"""\
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
pidfile {workdir}/slapd.pid
argsfile {workdir}/slapd.args
TLSCACertificateFile {pki.ca}
TLSCertificateFile {pki.server_cert}
TLSCertificateKeyFile {pki.server_key}

database mdb
maxsize 16777216
suffix "{BASE_DN}"
rootdn "{ROOT_DN}"
rootpw {ROOT_PASSWORD}
directory {workdir}/data
overlay memberof
memberof-group-oc groupOfNames
memberof-member-ad member
memberof-memberof-ad memberOf
memberof-refint TRUE

access to attrs=userPassword
    by self write
    by anonymous auth
    by * none
access to *
    by dn.exact="{SERVICE_DN}" read
    by self read
    by * none
"""


def users_ldif() -> str:
    entries = [
        f"dn: {BASE_DN}\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example\n",
        f"dn: {PEOPLE_DN}\nobjectClass: organizationalUnit\nou: people\n",
        f"dn: {GROUPS_DN}\nobjectClass: organizationalUnit\nou: groups\n",
        f"dn: {SERVICE_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: reader\n"
        f"userPassword: {SERVICE_PASSWORD}\n",
    ]
    for name, password in USERS.items():
        entries.append(f"dn: {user_dn(name)}\nobjectClass: inetOrgPerson\nuid: {name}\ncn: {name}\nsn: {name}\n"
                       f"userPassword: {password}\n")
    # A second entry with uid "twin": logging in as twin is ambiguous.
    entries.append(f"dn: cn=twin-again,{PEOPLE_DN}\nobjectClass: inetOrgPerson\nuid: twin\ncn: twin-again\n"
                   f"sn: twin\nuserPassword: {USERS['twin']}\n")
    return "\n".join(entries)


def groups_ldif() -> str:
    entries = []
    for group, members in GROUPS.items():
        lines = [f"dn: cn={group},{GROUPS_DN}", "objectClass: groupOfNames", f"cn: {group}"]
        lines += [f"member: {user_dn(member)}" for member in members]
        entries.append("\n".join(lines) + "\n")
    return "\n".join(entries)


class LdapDirectory:
    """One slapd process with its config, data and TLS files; can be stopped, frozen and restarted."""

    def __init__(self, workdir: Path, pki: LdapPKI):
        self.workdir = workdir
        self.pki = pki
        self.workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "data").mkdir(exist_ok=True)
        self.conf = workdir / "slapd.conf"
        self.conf.write_text(slapd_conf(workdir, pki))
        self.log_path = workdir / "slapd.log"
        self.ldap_port = 0
        self.ldaps_port = 0
        self.process: subprocess.Popen | None = None
        self.credentials_file = workdir / "ldap-credentials.json"
        self.write_credentials(SERVICE_DN, SERVICE_PASSWORD)

    @property
    def ldap_url(self) -> str:
        return f"ldap://127.0.0.1:{self.ldap_port}"

    def write_credentials(self, bind_dn: str, bind_password: str) -> None:
        """Replaces the credentials file atomically (new inode), as config tools do."""
        staging = self.credentials_file.with_name("ldap-credentials.json.new")
        staging.write_text(json.dumps({"bindDN": bind_dn, "bindPassword": bind_password}))
        staging.replace(self.credentials_file)

    def setup(self) -> LdapDirectory:
        """Loads users, picks free ports, starts slapd and adds the groups."""
        _run("slapadd", "-f", str(self.conf), "-b", BASE_DN, input_text=users_ldif())
        for _ in range(3):
            self.ldap_port, self.ldaps_port = free_port(), free_port()
            if self.ldap_port != self.ldaps_port and self._start():
                break
        else:
            pytest.fail(f"slapd did not start:\n{self.log_tail()}")
        _run("ldapadd", "-x", "-H", self.ldap_url, "-D", ROOT_DN, "-w", ROOT_PASSWORD, input_text=groups_ldif())
        return self

    def start(self) -> None:
        """Starts slapd again on the same ports (after ``stop``)."""
        if not self._start():
            pytest.fail(f"slapd did not restart on ports {self.ldap_port}/{self.ldaps_port}:\n{self.log_tail()}")

    def _start(self) -> bool:
        urls = f"ldap://127.0.0.1:{self.ldap_port}/ ldaps://127.0.0.1:{self.ldaps_port}/"
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(["slapd", "-f", str(self.conf), "-h", urls, "-d", "0"],
                                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            if self._accepts(self.ldap_port) and self._accepts(self.ldaps_port):
                return True
            time.sleep(0.05)
        self.stop()
        return False

    @staticmethod
    def _accepts(port: int) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            return False

    def stop(self) -> None:
        """SIGTERM by PID (SIGCONT first, in case it is frozen), SIGKILL after 5 s."""
        if self.process is None or self.process.poll() is not None:
            return
        os.kill(self.process.pid, signal.SIGCONT)
        stop_process(self.process)

    def freeze(self) -> None:
        """SIGSTOP: the ports still accept TCP connections but nothing answers."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGCONT)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"

    def auth_config(self, transport: str = "ldap", ca_cert: str | None = None, skip_verify: bool = False,
                    **extra) -> dict:
        """`http.auth.ldap` for this directory: transport `ldap` (insecure), `ldaps` or `starttls`."""
        config: dict = {
            "address": "127.0.0.1",
            "port": self.ldaps_port if transport == "ldaps" else self.ldap_port,
            "insecure": transport == "ldap",
            "startTLS": transport == "starttls",
            "baseDN": PEOPLE_DN,
            "userAttribute": "uid",
            "userFilter": "(objectClass=inetOrgPerson)",
            "userGroupAttribute": "memberOf",
            "credentialsFile": str(self.credentials_file),
        }
        if skip_verify:
            config["skipVerify"] = True
        if ca_cert is not None:
            config["caCert"] = ca_cert
        config.update(extra)
        return config


@pytest.fixture
def ldap_directory(tmp_path: Path, ldap_pki: LdapPKI):
    """A running slapd with USERS and GROUPS, stopped (by PID) at teardown."""
    directory = LdapDirectory(tmp_path / "slapd", ldap_pki)
    try:
        yield directory.setup()
    finally:
        directory.stop()


def add_entries(directory: LdapDirectory, ldif: str) -> None:
    """Adds entries (as the directory's root) to a running directory; groups get memberOf this way."""
    _run("ldapadd", "-x", "-H", directory.ldap_url, "-D", ROOT_DN, "-w", ROOT_PASSWORD, input_text=ldif)
