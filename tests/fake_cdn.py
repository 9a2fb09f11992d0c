"""A fake image CDN on 127.0.0.1 for the tests of common.safe_fetch and image links.

Each path is one behaviour a real CDN (or an attacker's link) shows; `hits` counts requests per
path so a test can see retries happen, and that a refused link was never requested.
"""

import datetime as dt
import ssl
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.conftest import jpeg_bytes

JPEG = jpeg_bytes()


class FakeCdn:
    """`tls=True` serves https with a certificate for 127.0.0.1 signed by a CA made for it
    (`ca_file`): the Graph API gives https links only, so a refresh's images need it."""

    def __init__(self, *, tls: bool = False):
        self.hits: Counter[str] = Counter()
        self.failures_before_success = 2  # /flaky answers 503 this many times
        self.oversize = 0  # bytes /big streams (set by the test)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.tls = tls
        self._folder = tempfile.TemporaryDirectory() if tls else None
        self.ca_file = ""
        if tls:
            context, self.ca_file = _tls_server_context(Path(self._folder.name))
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)

    @property
    def base(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def start(self) -> "FakeCdn":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        if self._folder is not None:
            self._folder.cleanup()

    def _handler(self):
        cdn = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, body=b"", content_type="image/jpeg", headers=()):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for key, value in headers:
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                path = self.path.split("?", 1)[0]
                cdn.hits[path] += 1
                if path.startswith("/img/"):  # any image name: a real JPEG
                    return self._send(200, JPEG)
                if path == "/expired.jpg":
                    return self._send(403, b"URL signature expired", "text/plain")
                if path == "/gone.jpg":
                    return self._send(410, b"gone", "text/plain")
                if path == "/flaky.jpg":
                    if cdn.hits[path] <= cdn.failures_before_success:
                        return self._send(503, b"try later", "text/plain")
                    return self._send(200, JPEG)
                if path == "/down.jpg":
                    return self._send(502, b"bad gateway", "text/plain")
                if path == "/slow.jpg":  # a byte every 0.2 s: each read is quick, the whole is not
                    self.send_response(200)
                    self.send_header("Content-Type", "image/jpeg")
                    self.send_header("Content-Length", str(len(JPEG)))
                    self.end_headers()
                    try:
                        for byte in JPEG:
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(0.2)
                    except OSError:
                        pass  # the client gave up, as it should
                    return None
                if path == "/big.jpg":  # no Content-Length: only counting the bytes stops it
                    self.send_response(200)
                    self.send_header("Content-Type", "image/jpeg")
                    self.end_headers()
                    try:
                        sent = 0
                        while sent < cdn.oversize:
                            self.wfile.write(b"\xff" * 65536)
                            sent += 65536
                    except OSError:
                        pass
                    self.close_connection = True
                    return None
                if path == "/announced-big.jpg":
                    self.send_response(200)
                    self.send_header("Content-Length", str(10**12))
                    self.end_headers()
                    return None
                if path == "/truncated.jpg":  # announces the whole image, sends a tenth
                    self.send_response(200)
                    self.send_header("Content-Type", "image/jpeg")
                    self.send_header("Content-Length", str(len(JPEG)))
                    self.end_headers()
                    self.wfile.write(JPEG[: len(JPEG) // 10])
                    self.close_connection = True
                    return None
                if path == "/page.jpg":
                    return self._send(200, b"<html><body>Login</body></html>", "text/html")
                if path == "/to-private.jpg":
                    return self._send(302, headers=[("Location", "http://10.0.0.7/img/a.jpg")])
                if path == "/to-metadata.jpg":
                    return self._send(
                        302, headers=[("Location", "http://169.254.169.254/latest/meta-data/")]
                    )
                if path == "/to-elsewhere.jpg":
                    return self._send(302, headers=[("Location", "http://example.org/a.jpg")])
                if path == "/to-image.jpg":
                    return self._send(302, headers=[("Location", "/img/after-redirect.jpg")])
                if path == "/loop.jpg":
                    return self._send(302, headers=[("Location", "/loop.jpg")])
                return self._send(404, b"not found", "text/plain")

        return Handler


def _tls_server_context(folder: Path) -> tuple[ssl.SSLContext, str]:
    """A server context for 127.0.0.1 and the file of the CA that signed its certificate (with
    the extensions OpenSSL's strict verification asks for)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "StyleMatch test CDN CA")])
    usage = dict.fromkeys(
        (
            "content_commitment",
            "key_encipherment",
            "data_encipherment",
            "key_agreement",
            "encipher_only",
            "decipher_only",
        ),
        False,
    )
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, **usage),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context, str(ca_file)
