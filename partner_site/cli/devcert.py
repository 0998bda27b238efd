"""A self-signed certificate for trying the scan page from a phone on the same network (`make run-https`).

Phones open the camera only on HTTPS (or localhost). This writes `cert.pem` and `key.pem` (mode
0600) for localhost, this machine's name and its network addresses, plus any names given, and
keeps an existing certificate while it is valid and covers them, so a phone that accepted it
once is not asked again. Development only: production gets a real certificate (see docs/operations.md).

    python -m partner_site.cli.devcert instance/tls [NAME_OR_ADDRESS ...]
"""
import datetime
import ipaddress
import os
import socket
import subprocess
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

VALID_DAYS = 90


def local_names() -> list[str]:
    """Return localhost, this machine's name and its IPv4 addresses (what a phone on the LAN would type)."""
    names = ["localhost", "127.0.0.1", socket.gethostname()]
    try:
        output = subprocess.run(["hostname", "-I"], capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        output = ""
    names += [a for a in output.split() if ":" not in a]  # IPv4 only: what people type on a phone
    return list(dict.fromkeys(names))


def _san(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def covers(cert: x509.Certificate, names: list[str], now: datetime.datetime) -> bool:
    """Say whether a certificate is valid for another day and names every one of `names`."""
    if cert.not_valid_after_utc - now < datetime.timedelta(days=1):
        return False
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return {_san(n) for n in names} <= set(sans)


def make_certificate(directory: str, names: list[str]) -> tuple[str, str, bool]:
    """Write (or keep) a self-signed certificate for `names`; return its paths and whether it is new."""
    os.makedirs(directory, mode=0o700, exist_ok=True)
    cert_path, key_path = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    now = datetime.datetime.now(datetime.timezone.utc)
    if os.path.exists(cert_path) and os.path.exists(key_path):
        with open(cert_path, "rb") as fh:
            if covers(x509.load_pem_x509_certificate(fh.read()), names, now):
                return cert_path, key_path, False
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Pass numérique (développement)")])
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName([_san(n) for n in names]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption()))
    with open(cert_path, "wb") as fh:
        fh.write(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path, True


def main(argv: list[str]) -> int:
    """Write or keep the certificate in argv[0] for this machine and the names that follow."""
    if not argv:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    names = list(dict.fromkeys(local_names() + argv[1:]))
    cert_path, _key_path, fresh = make_certificate(argv[0], names)
    print(("New" if fresh else "Kept the") + f" self-signed certificate {cert_path} for: {', '.join(names)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
