# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TLS verified: the emulator over HTTPS with a certificate from a CA made at test time.

validate_certs: true fails cleanly (and at once: a TLS failure is never retried) without ca_path, and with the
wrong CA; passes with ca_path; validate_certs: false works. REQUESTS_CA_BUNDLE in the environment changes
neither ca_path nor validate_certs: false.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import ssl
import subprocess
import sys
import time
import urllib.request

import pytest

x509 = pytest.importorskip("cryptography.x509")
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID  # noqa: E402
from seed import CHAT_ID, INFO, WS  # noqa: E402  pylint: disable=import-error

from fabric_emulator.server import Emulator  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SEED = os.path.join(ROOT, "fabric_emulator", "seed.json")
INSTANCE = "hwcloud.dataarts.fabric_service_instance"


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _pem(path, data):
    path.write_bytes(data)
    return str(path)


def make_ca(directory, label):
    """A CA (key, certificate) and its PEM file."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("hwcloud test CA " + label))
        .issuer_name(_name("hwcloud test CA " + label))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert, _pem(directory / "ca-{0}.pem".format(label), cert.public_bytes(serialization.Encoding.PEM))


def make_server_cert(directory, ca_key, ca_cert):
    """A certificate for 127.0.0.1 and localhost, signed by the CA: (cert file, key file)."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    cert_file = _pem(directory / "server.pem", cert.public_bytes(serialization.Encoding.PEM))
    key_file = _pem(
        directory / "server-key.pem", key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    directory = tmp_path_factory.mktemp("pki")
    ca_key, ca_cert, ca_file = make_ca(directory, "good")
    _other_key, _other_cert, other_ca_file = make_ca(directory, "other")
    cert_file, key_file = make_server_cert(directory, ca_key, ca_cert)
    return {"ca": ca_file, "other_ca": other_ca_file, "cert": cert_file, "key": key_file}


@pytest.fixture(scope="module")
def tls_emulator(pki):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki["cert"], pki["key"])
    server = Emulator(seed=SEED, host="127.0.0.1", port=0, ssl_context=context, update_seconds=0.0)
    server.start()
    yield server
    server.stop()


def api_log(server):
    with server.state.lock:
        return [dict(entry) for entry in server.state.requests]


def test_validate_certs_and_ca_path_over_https(ansible, tls_emulator, pki):
    assert tls_emulator.url.startswith("https://127.0.0.1:")
    tls_emulator.reset()
    read = {"workspace_id": WS, "instance_id": CHAT_ID, "api_retries": 3}
    tasks = [
        {"name": "default: verified against the system CAs", INFO: dict(read), "ignore_errors": True},
        {"name": "verified against the wrong CA", INFO: dict(read, ca_path=pki["other_ca"]), "ignore_errors": True},
        {"name": "verified against the test CA", INSTANCE: dict(read, ca_path=pki["ca"], description="over TLS")},
        {"name": "not verified", INFO: dict(read, validate_certs=False)},
        {"name": "ca_path wins over REQUESTS_CA_BUNDLE", INFO: dict(read, ca_path=pki["ca"]), "environment": {"REQUESTS_CA_BUNDLE": pki["other_ca"]}},
        {
            "name": "validate_certs false wins over REQUESTS_CA_BUNDLE",
            INFO: dict(read, validate_certs=False),
            "environment": {"REQUESTS_CA_BUNDLE": pki["other_ca"], "CURL_CA_BUNDLE": pki["other_ca"]},
        },
        {"name": "REQUESTS_CA_BUNDLE is the trust store when nothing is set", INFO: dict(read), "environment": {"REQUESTS_CA_BUNDLE": pki["ca"]}},
    ]
    started = time.monotonic()
    run = ansible.playbook(tasks, env={"HW_FABRIC_ENDPOINT": tls_emulator.url})
    elapsed = time.monotonic() - started
    assert "Traceback (most recent call last)" not in run.stdout + run.stderr
    results = {entry["task"]: entry for entry in run.results}
    assert sorted(results) == sorted(task["name"] for task in tasks), (
        [(entry["task"], entry["outcome"], entry["result"].get("msg")) for entry in run.results],
        run.stdout[-3000:],
    )

    for name in ("default: verified against the system CAs", "verified against the wrong CA"):
        entry = results[name]
        assert entry["outcome"] == "failed", entry
        msg = entry["result"]["msg"]
        # Clean, says what to do, and the TLS failure was not retried (1 attempt despite api_retries: 3).
        assert "TLS verification failed" in msg and "ca_path" in msg and "after 1 attempt(s)" in msg, msg
        assert "module_stderr" not in entry["result"]

    updated = results["verified against the test CA"]
    assert updated["outcome"] == "ok" and updated["result"]["changed"] is True, updated
    assert updated["result"]["instance"]["description"] == "over TLS"
    for name in (
        "not verified",
        "ca_path wins over REQUESTS_CA_BUNDLE",
        "validate_certs false wins over REQUESTS_CA_BUNDLE",
        "REQUESTS_CA_BUNDLE is the trust store when nothing is set",
    ):
        entry = results[name]
        assert entry["outcome"] == "ok", entry
        assert [item["id"] for item in entry["result"]["instances"]] == [CHAT_ID], entry

    # The refused handshakes never became requests; each successful task made exactly its own.
    log = api_log(tls_emulator)
    methods = [entry["method"] for entry in log]
    assert methods.count("PUT") == 1
    # the read, one poll (update_seconds 0: the first poll shows the change), four info reads
    assert len([entry for entry in log if entry["method"] == "GET"]) == 1 + 1 + 4
    assert tls_emulator.get_instance(CHAT_ID)["description"] == "over TLS"
    assert elapsed < 60, elapsed


def test_the_emulator_command_line_serves_https(tmp_path, pki):
    port_file = tmp_path / "port"
    process = subprocess.Popen(
        [sys.executable, "-m", "fabric_emulator", "--port", "0", "--port-file", str(port_file), "--tls-cert", pki["cert"], "--tls-key", pki["key"]],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while not port_file.exists() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        assert port_file.exists(), process.communicate(timeout=5)
        port = int(port_file.read_text().strip())
        context = ssl.create_default_context(cafile=pki["ca"])
        with urllib.request.urlopen("https://127.0.0.1:{0}/_emulator/health".format(port), context=context, timeout=10) as answer:  # nosec
            assert json.loads(answer.read().decode("utf-8")) == {"status": "ok"}
        with pytest.raises(urllib.error.URLError):
            urllib.request.urlopen(
                "https://127.0.0.1:{0}/_emulator/health".format(port),
                timeout=10,  # nosec
                context=ssl.create_default_context(cafile=pki["other_ca"]),
            )
    finally:
        process.terminate()
        out, _err = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "listening on https://127.0.0.1:" in out

    mismatched = subprocess.run(
        [sys.executable, "-m", "fabric_emulator", "--port", "0", "--tls-cert", pki["cert"]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert mismatched.returncode == 2 and "--tls-cert and --tls-key go together" in mismatched.stderr
