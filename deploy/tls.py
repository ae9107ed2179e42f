"""Throwaway TLS material for a local broker: a CA and a server certificate for 127.0.0.1.

Made with the ``openssl`` command line tool in a directory the caller owns (a temporary one:
nothing here belongs in the repository). The server's key and certificate chain are written as
one PEM file, which Kafka reads with ``ssl.keystore.type=PEM``; clients trust ``ca.crt``.
Standard library only.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

#: Names the server certificate is valid for (clients check them against the address used).
SERVER_NAMES = ("IP:127.0.0.1", "DNS:localhost")
_DAYS = "2"


class TlsError(RuntimeError):
    """``openssl`` is missing or failed; the message says which step."""


@dataclass(frozen=True)
class TlsFiles:
    """Where the generated PEM files are."""

    #: The CA certificate clients trust (``NEWSSTREAM_SSL_CAFILE``).
    ca_cert: Path
    #: The server's unencrypted PKCS#8 key followed by its certificate and the CA's.
    server_keystore: Path


def _openssl(*args: str, cwd: Path) -> None:
    tool = shutil.which("openssl")
    if tool is None:
        raise TlsError("'openssl' is not on PATH (Debian: apt-get install openssl)")
    proc = subprocess.run(
        [tool, *args], cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise TlsError(f"openssl {args[0]} failed (exit {proc.returncode}): {proc.stderr.strip()}")


def make_server_tls(directory: Path, names: tuple[str, ...] = SERVER_NAMES) -> TlsFiles:
    """A new CA and a server certificate signed by it for ``names``, valid for two days."""
    directory.mkdir(parents=True, exist_ok=True)
    _openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", _DAYS,
        "-keyout", "ca.key", "-out", "ca.crt", "-subj", "/CN=newsstream test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        cwd=directory,
    )  # fmt: skip
    _openssl(
        "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
        "-subj", "/CN=localhost",
        cwd=directory,
    )  # fmt: skip
    (directory / "server.ext").write_text(
        "basicConstraints=CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\n"
        "subjectKeyIdentifier=hash\n"
        "authorityKeyIdentifier=keyid\n"
        f"subjectAltName={','.join(names)}\n"
    )
    _openssl(
        "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", _DAYS, "-extfile", "server.ext", "-out", "server.crt",
        cwd=directory,
    )  # fmt: skip
    keystore = directory / "server-keystore.pem"
    keystore.write_text(
        "".join((directory / name).read_text() for name in ("server.key", "server.crt", "ca.crt"))
    )
    for path in (directory / "ca.key", directory / "server.key", keystore):
        path.chmod(0o600)
    return TlsFiles(ca_cert=directory / "ca.crt", server_keystore=keystore)
