#!/usr/bin/env python3
"""An HTTPS front for the local stack: terminates TLS with a chain like AWS endpoints present.

AWS endpoints serve a leaf and an intermediate, RSA 2048, under a root in the system store. This
front does the same with a test PKI generated at start-up into a temporary directory (never
committed): root CA -> intermediate CA -> leaf for `localhost` and 127.0.0.1. Each variant listens
on its own port and relays the decrypted bytes to the upstream (the fault proxy, which keeps
connections alive; moto closes after every answer):

    good        the chain above
    expired     the same chain, leaf expired yesterday
    wrong-host  a leaf for other.invalid only
    untrusted   a chain under another root, which no trust store given to the function contains

Files in --dir (made if missing): root.pem (the test root), bundle.pem (the machine's CA bundle,
all of it, then the test root: what SSL_CERT_FILE points at in the TLS benchmark), certdir/ (the
test root under its OpenSSL subject hash, for SSL_CERT_DIR; null without the openssl command), and the chains and keys.

CLI:
    python3 scripts/lib/tls_front.py --upstream 127.0.0.1:PORT --dir DIR [--variants good,expired,...]
        [--admin-port 0] [--system-bundle PATH] [--exit-on-stdin-eof] [--verbose]
    Ready line: {"fronts": {"good": "https://localhost:P", ...}, "admin": "http://127.0.0.1:A",
                 "root": ".../root.pem", "bundle": ".../bundle.pem", "cert_dir": ".../certdir"}
Admin API:
    GET  /stats  {"good": {"connections": N, "handshakes": H, "resumed": R, "handshake_failures": F}, ...}
    POST /reset  zeroes the counters
    POST /drop   closes every open connection (the function must reconnect; "resumed" counts the
                 handshakes that resumed a TLS session)
Importable: TLSFront(upstream_host, upstream_port, directory, variants=...) with start()/stop()/stats().
"""

import argparse
import datetime
import ipaddress
import json
import logging
import os
import select
import shutil
import socket
import ssl
import subprocess
import sys
import threading

try:
    import _httpkit
except ImportError:  # imported from elsewhere: the helper sits next to this file
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import _httpkit

from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID  # noqa: E402

log = logging.getLogger("tls_front")

VARIANTS = ("good", "expired", "wrong-host", "untrusted")
SYSTEM_BUNDLES = ("/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/cert.pem")


# --- the test PKI ------------------------------------------------------------------------------

def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Order Pipeline Test PKI"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _certificate(subject, key, issuer, issuer_key, ca, not_before, not_after, names=()):
    builder = (x509.CertificateBuilder()
               .subject_name(subject).issuer_name(issuer.subject if issuer else subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(not_before).not_valid_after(not_after)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
    if ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
            key_encipherment=False, data_encipherment=False, key_agreement=False,
            encipher_only=False, decipher_only=False), critical=True)
    else:
        sans = [x509.IPAddress(ipaddress.ip_address(n)) if n[0].isdigit() else x509.DNSName(n) for n in names]
        builder = (builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
                   .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False))
    return builder.sign(issuer_key if issuer is not None else key, hashes.SHA256())


def _pem(*certificates):
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)


def _write(path, data, private=False):
    with open(path, "wb") as f:
        if private:
            os.fchmod(f.fileno(), 0o600)
        f.write(data)


def make_pki(directory, system_bundle=None):
    """Generates the PKI into `directory`; returns {variant: (chain path, key path)} and the paths."""
    os.makedirs(directory, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)
    year, day = datetime.timedelta(days=365), datetime.timedelta(days=1)
    hosts = ("localhost", "127.0.0.1")

    def authority(label):
        root_key, intermediate_key = _key(), _key()
        root = _certificate(_name(label + " Root CA"), root_key, None, None, True, now - day, now + 10 * year)
        intermediate = _certificate(_name(label + " RSA 2048 M01"), intermediate_key, root, root_key, True,
                                    now - day, now + 5 * year)
        return root, intermediate, intermediate_key

    root, intermediate, intermediate_key = authority("Order Pipeline Test")
    stranger_root, stranger_intermediate, stranger_intermediate_key = authority("Untrusted Test")
    leaf_key = _key()
    leaves = {
        "good": (_certificate(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]), leaf_key,
                              intermediate, intermediate_key, False, now - day, now + year, hosts), intermediate),
        "expired": (_certificate(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]), leaf_key,
                                 intermediate, intermediate_key, False, now - 30 * day, now - day, hosts), intermediate),
        "wrong-host": (_certificate(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "other.invalid")]), leaf_key,
                                    intermediate, intermediate_key, False, now - day, now + year, ("other.invalid",)),
                       intermediate),
        "untrusted": (_certificate(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]), leaf_key,
                                   stranger_intermediate, stranger_intermediate_key, False, now - day, now + year,
                                   hosts), stranger_intermediate),
    }
    key_path = os.path.join(directory, "leaf.key")
    _write(key_path, leaf_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption()), private=True)
    chains = {}
    for variant, (leaf, issuer) in leaves.items():
        chain_path = os.path.join(directory, "chain-%s.pem" % variant)
        _write(chain_path, _pem(leaf, issuer))
        chains[variant] = (chain_path, key_path)

    root_path = os.path.join(directory, "root.pem")
    _write(root_path, _pem(root))
    system_bundle = system_bundle or next((p for p in SYSTEM_BUNDLES if os.path.exists(p)), None)
    system = open(system_bundle, "rb").read() if system_bundle else b""
    bundle_path = os.path.join(directory, "bundle.pem")
    _write(bundle_path, system.rstrip(b"\n") + b"\n" + _pem(root))

    cert_dir = None
    if shutil.which("openssl"):
        cert_dir = os.path.join(directory, "certdir")
        os.makedirs(cert_dir, exist_ok=True)
        # OpenSSL's subject hash (a SHA-1 of its canonical name encoding) comes from OpenSSL itself.
        subject_hash = subprocess.run(["openssl", "x509", "-noout", "-subject_hash", "-in", root_path],
                                      check=True, capture_output=True, text=True).stdout.strip()
        shutil.copyfile(root_path, os.path.join(cert_dir, subject_hash + ".0"))
    return chains, {"root": root_path, "bundle": bundle_path, "cert_dir": cert_dir,
                    "system_bundle": system_bundle, "system_bundle_certificates": system.count(b"-----BEGIN CERTIFICATE-----")}


# --- the front ---------------------------------------------------------------------------------

class _Listener:
    """One variant: accepts TLS connections and relays each to its own upstream connection."""

    def __init__(self, front, variant, chain, key, host):
        self.front, self.variant = front, variant
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(chain, key)
        self.sock = socket.create_server((host, 0))
        self.port = self.sock.getsockname()[1]
        self.counts = {"connections": 0, "handshakes": 0, "resumed": 0, "handshake_failures": 0}
        self.open = set()

    def serve(self):
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return  # closed by stop()
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self.front.lock:
                self.counts["connections"] += 1
                self.open.add(client)
            threading.Thread(target=self._connection, args=(client,), daemon=True,
                             name="tls-front-%s" % self.variant).start()

    def _count(self, name):
        with self.front.lock:
            self.counts[name] += 1

    def _connection(self, client):
        tls = upstream = None
        try:
            client.settimeout(30)
            tls = self.context.wrap_socket(client, server_side=True, do_handshake_on_connect=False)
            with self.front.lock:  # the wrapper now owns the descriptor: drop() must shut it down
                self.open.discard(client)
                self.open.add(tls)
            try:
                tls.do_handshake()
            except (ssl.SSLError, OSError) as error:
                self._count("handshake_failures")
                log.debug("%s: handshake failed: %s", self.variant, error)
                return
            self._count("handshakes")
            if tls.session_reused:
                self._count("resumed")
            upstream = socket.create_connection(self.front.upstream)
            upstream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._relay(tls, upstream)
        except (OSError, ssl.SSLError) as error:
            log.debug("%s: connection ended: %r", self.variant, error)
        finally:
            for s in (upstream, tls or client):
                if s is not None:
                    try:
                        s.close()
                    except OSError:
                        pass
            with self.front.lock:
                self.open.discard(client)
                self.open.discard(tls)

    @staticmethod
    def _relay(tls, upstream):
        tls.settimeout(None)
        while True:
            # Decrypted bytes OpenSSL already holds do not make the socket readable.
            readable = [tls] if tls.pending() else select.select([tls, upstream], [], [])[0]
            if tls in readable:
                data = tls.recv(65536)
                if not data:
                    return
                upstream.sendall(data)
            if upstream in readable:
                data = upstream.recv(65536)
                if not data:
                    return
                tls.sendall(data)

    def drop(self):
        with self.front.lock:
            sockets = list(self.open)
        for s in sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        return len(sockets)

    def stop(self):
        self.sock.close()
        self.drop()


class TLSFront:
    def __init__(self, upstream_host, upstream_port, directory, variants=VARIANTS, admin_port=0,
                 host="127.0.0.1", system_bundle=None):
        self.upstream = (upstream_host, int(upstream_port))
        self.directory, self.variants, self.host = directory, list(variants), host
        self.admin_port, self.system_bundle = admin_port, system_bundle
        self.lock = threading.Lock()
        self.listeners = {}
        self.files = {}
        self._admin = None

    def start(self):
        chains, self.files = make_pki(self.directory, self.system_bundle)
        for variant in self.variants:
            chain, key = chains[variant]
            listener = _Listener(self, variant, chain, key, self.host)
            self.listeners[variant] = listener
            threading.Thread(target=listener.serve, daemon=True, name="tls-front-accept").start()
        self._admin = _httpkit.Server((self.host, self.admin_port), _AdminHandler, owner=self)
        self.admin_port = self._admin.server_address[1]
        self._admin.serve_in_thread("tls-front-admin")
        log.info("TLS fronts %s -> %s:%d", self.endpoints(), *self.upstream)
        return self

    def stop(self):
        for listener in self.listeners.values():
            listener.stop()
        if self._admin:
            self._admin.stop()

    def endpoints(self):
        return {v: "https://localhost:%d" % l.port for v, l in self.listeners.items()}

    def stats(self):
        with self.lock:
            return {v: dict(l.counts) for v, l in self.listeners.items()}

    def reset(self):
        with self.lock:
            for listener in self.listeners.values():
                for name in listener.counts:
                    listener.counts[name] = 0

    def drop(self):
        return sum(listener.drop() for listener in self.listeners.values())

    def ready_info(self):
        return {"fronts": self.endpoints(), "admin": "http://%s:%d" % (self.host, self.admin_port),
                **{k: self.files[k] for k in ("root", "bundle", "cert_dir", "system_bundle",
                                                "system_bundle_certificates")}}


class _AdminHandler(_httpkit.Handler):
    def handle_request(self):
        front = self.server.owner
        path = self.path.split("?", 1)[0]
        if self.command == "GET" and path == "/stats":
            return self.reply_json(200, front.stats())
        if self.command == "POST" and path == "/drop":
            self.read_body()
            return self.reply_json(200, {"dropped": front.drop()})
        if self.command == "POST" and path == "/reset":
            self.read_body()
            front.reset()
            return self.reply_json(200, front.stats())
        self.reply_json(404, {"error": "NotFound", "message": "%s %s" % (self.command, path)})


def main(argv=None):
    ap = argparse.ArgumentParser(description="HTTPS front (AWS-like RSA 2048 chain) for the local stack")
    ap.add_argument("--upstream", required=True, help="HOST:PORT of the fault proxy (or any HTTP server)")
    ap.add_argument("--dir", required=True, help="where the generated PKI and bundle go")
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--admin-port", type=int, default=0)
    ap.add_argument("--system-bundle", default=None, help="the CA bundle to extend (default: the system's)")
    ap.add_argument("--exit-on-stdin-eof", action="store_true")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args(argv)
    host, _, port = args.upstream.rpartition(":")
    variants = [v for v in args.variants.split(",") if v]
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        ap.error("unknown variants %s; expected some of %s" % (unknown, ",".join(VARIANTS)))
    front = TLSFront(host, int(port), args.dir, variants, args.admin_port, system_bundle=args.system_bundle)
    _httpkit.serve_cli(front, front.ready_info, args.exit_on_stdin_eof, args.verbose, name="tls_front")


if __name__ == "__main__":
    main()
