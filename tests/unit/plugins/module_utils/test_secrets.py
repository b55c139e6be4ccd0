# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secrets kept: what the layer itself says never carries a header, a token, a signature or a password.

Ansible masks the values of ``no_log`` options in what a module returns, so what can really leak is what
Ansible does not know about: the text of the layer's own exceptions (built from what ``requests`` and
``urllib3`` say about a real failed connection), run-time secrets (the IAM token), and failures that happen
before Ansible has collected the ``no_log`` values. Every secret is long and random, and every check looks
for the whole value and for a 12-character slice of it.

(test_http.py covers the same on stubbed exception texts; here the failures are real sockets.)
"""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import threading

import pytest
import responses

from ansible_collections.hwcloud.dataarts.plugins.module_utils._auth import build_auth
from ansible_collections.hwcloud.dataarts.plugins.module_utils._auth_methods import AkSkAuth, TokenAuth
from ansible_collections.hwcloud.dataarts.plugins.module_utils._errors import FabricConnectionError, FabricError
from ansible_collections.hwcloud.dataarts.plugins.module_utils._http import FabricClient
from ansible_collections.hwcloud.dataarts.plugins.modules import fabric_service_instance as instance_module
from ansible_collections.hwcloud.dataarts.plugins.modules import fabric_service_instance_info as info_module
from ansible_collections.hwcloud.dataarts.plugins.modules import iam_token as token_module
from ansible_collections.hwcloud.dataarts.tests.unit.plugins.builders import DROP, ENDPOINT, ITEM_URL, options
from ansible_collections.hwcloud.dataarts.tests.unit.plugins.credentials import (
    ACCESS_KEY,
    IAM,
    IAM_TOKEN,
    PASSWORD,
    SECRET_KEY,
    SECURITY_TOKEN,
    TOKEN,
    assert_clean,
    password_params,
)

ALL_SECRETS = {"auth_token": TOKEN, "access_key": ACCESS_KEY, "secret_key": SECRET_KEY, "security_token": SECURITY_TOKEN, "password": PASSWORD}
PATH = "/v1/workspaces/ws-1/services/instances/inst-1"


def error_texts(err):
    return [str(err), repr(err), repr(err.args), repr(vars(err)), json.dumps(err.details(), default=str)]


# ------------------------------------------------------------------ real transport failures, real messages


@pytest.fixture(params=["refused", "silent", "reset", "garbage", "tls_to_plain"])
def failing_url(request, loopback):
    if request.param == "tls_to_plain":
        return loopback("garbage", scheme="https")
    return loopback(request.param)


def auth_objects():
    return {
        "token": TokenAuth(TOKEN),
        "aksk": AkSkAuth(ACCESS_KEY, SECRET_KEY, security_token=SECURITY_TOKEN, project_id="proj-1"),
    }


@pytest.mark.parametrize("auth_name", sorted(auth_objects()))
@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_real_transport_failures_never_carry_secrets(failing_url, auth_name, method, monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    auth = auth_objects()[auth_name]
    sent = []

    def recording(request):
        prepared = auth(request)
        sent.append(dict(prepared.headers))
        return prepared

    client = FabricClient(failing_url, auth=recording, timeout=0.3, retries=1, sleep=lambda seconds: None)
    with pytest.raises(FabricConnectionError) as caught:
        client.request(method, PATH, query=[("name", "demo")], body={"description": "d"} if method == "PUT" else None, confirm_write=lambda: None)
    assert sent, "the request was never prepared"
    signatures = [headers["Authorization"].rsplit("Signature=", 1)[1] for headers in sent if "Authorization" in headers]
    assert_clean(error_texts(caught.value), (TOKEN, SECRET_KEY, SECURITY_TOKEN, *signatures), middles=True)
    # The session itself holds no credential (auth is applied per attempt), so a dump of it shows none either.
    assert_clean([repr(dict(client.session.headers)), repr(client.auth), repr(auth)], (TOKEN, SECRET_KEY, SECURITY_TOKEN, ACCESS_KEY), middles=True)


def test_tls_verification_failure_never_carries_secrets(tmp_path):
    """A real TLS handshake against a self-signed certificate: the message names ca_path, not the token."""
    cryptography = pytest.importorskip("cryptography")
    assert cryptography
    cert, key = self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    port = listener.getsockname()[1]

    def serve():
        with contextlib.suppress(OSError):
            conn, _addr = listener.accept()
            with contextlib.suppress(OSError, ssl.SSLError):
                context.wrap_socket(conn, server_side=True).recv(1024)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    client = FabricClient("https://127.0.0.1:{0}".format(port), auth=TokenAuth(TOKEN), timeout=2, retries=3, sleep=lambda seconds: None)
    with pytest.raises(FabricConnectionError) as caught:
        client.request("GET", PATH)
    listener.close()
    thread.join(2)
    assert "ca_path" in str(caught.value) and caught.value.attempts == 1
    assert_clean(error_texts(caught.value), (TOKEN,), middles=True)


def self_signed(tmp_path):
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "self-signed test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return str(cert_path), str(key_path)


# ------------------------------------------------------------------ through main(): what a task shows


IAM_URL = IAM + "/v3/auth/tokens"


def echo_headers(request):
    """A misbehaving gateway that copies every request header (credentials included) into its error body."""
    return (
        401,
        {"X-Request-Id": "req-echo"},
        json.dumps(
            {"error_code": "APIG.0301", "error_msg": "rejected: {0}".format(json.dumps(dict(request.headers))), "solution_msg": str(request.body)}
        ),
    )


CREDENTIALS = {
    "token": {"auth_token": TOKEN},
    "aksk": {"access_key": ACCESS_KEY, "secret_key": SECRET_KEY, "security_token": SECURITY_TOKEN, "project_id": "proj-1"},
}


@pytest.mark.parametrize("method", sorted(CREDENTIALS))
@pytest.mark.parametrize("check_mode, diff", [(False, False), (True, True), (False, True)], ids=["run", "check-diff", "diff"])
def test_an_echoing_gateway_still_shows_no_declared_secret(run_module, mocked, method, check_mode, diff):
    mocked.add_callback(responses.GET, ITEM_URL, callback=echo_headers)
    args = dict(CREDENTIALS[method], endpoint=ENDPOINT, workspace_id="ws-1", instance_id="inst-1", description="d", api_retries=0)
    result, printed = run_module(instance_module, args, check_mode=check_mode, diff=diff, with_output=True)
    assert result["failed"] is True and "HTTP 401" in result["msg"] and "req-echo" in result["msg"]
    assert_clean([printed], (TOKEN, ACCESS_KEY, SECRET_KEY, SECURITY_TOKEN), middles=True)


def test_the_iam_token_is_masked_as_soon_as_it_is_known(run_module, mocked):
    """A run-time secret: registered with Ansible, so even a Fabric error body that repeats it shows it masked."""
    mocked.add(responses.POST, IAM_URL, status=201, headers={"X-Subject-Token": IAM_TOKEN}, json={"token": {"expires_at": "2099-01-01T00:00:00Z"}})
    mocked.add_callback(responses.GET, ITEM_URL, callback=echo_headers)
    args = password_params(
        region=DROP, project_id="proj-1", iam_endpoint=IAM, endpoint=ENDPOINT, workspace_id="ws-1", instance_id="inst-1", api_retries=0
    )
    result, printed = run_module(instance_module, args, diff=True, with_output=True)
    assert result["failed"] is True
    assert mocked.calls[1].request.headers["X-Auth-Token"] == IAM_TOKEN  # it really was used...
    assert "********" in result["msg"]  # ...and the echo of it is masked
    assert_clean([printed], (IAM_TOKEN, PASSWORD), middles=True)


@pytest.mark.parametrize(
    "status, body",
    [
        (401, {"error": {"code": "401", "message": "The username or password is wrong: " + PASSWORD}}),
        (500, "<html><body>IAM down for {0}</body></html>".format(PASSWORD)),
        (403, {"error_code": "IAM.0101", "error_msg": "forbidden"}),
    ],
    ids=["401-echo", "500-html-echo", "403"],
)
@pytest.mark.parametrize("module", [instance_module, token_module], ids=["instance", "iam_token"])
def test_iam_refusals_show_no_password(run_module, mocked, status, body, module):
    if isinstance(body, dict):
        mocked.add(responses.POST, IAM_URL, status=status, json=body)
    else:
        mocked.add(responses.POST, IAM_URL, status=status, body=body, content_type="text/html")
    args = password_params(region=DROP, project_id="proj-1", iam_endpoint=IAM, api_retries=1)
    if module is instance_module:
        args.update(endpoint=ENDPOINT, workspace_id="ws-1", instance_id="inst-1")
    result, printed = run_module(module, args, with_output=True)
    assert result["failed"] is True and "IAM refused the password authentication of user 'alice'" in result["msg"]
    assert "HTTP {0}".format(status) in result["msg"]
    assert [call.request.method for call in mocked.calls] == ["POST"] * (2 if status == 500 else 1)
    assert_clean([printed], (PASSWORD,), middles=True)


EARLY_FAILURES = {
    "dict-of-wrong-type": {"resource": "four"},
    "sub-option-of-wrong-type": {"source": {"id": ["a", "b"]}},
    "list-for-a-dict": {"resource": ["max", 4]},
    "number-for-a-dict": {"resource": 4},
    "unknown-option": {"colour": "blue"},
    "unknown-sub-option": {"resource": {"maxx": 4}},
    "bad-choice": {"state": "gone"},
    "missing-required": {"workspace_id": DROP},
    "bad-bool": {"wait": "perhaps"},
}


@pytest.mark.parametrize("failure", sorted(EARLY_FAILURES))
def test_credentials_are_masked_when_ansible_argument_validation_fails(run_module, mocked, failure):
    """ansible-core stops collecting no_log values at a dict option of the wrong type (ansible/ansible#81672);
    the layer masks the credential options in every failure anyway."""
    base = dict(ALL_SECRETS, endpoint=ENDPOINT, workspace_id="ws-1", instance_id="inst-1", user_name="alice", domain_name="acme")
    args = options(base, **EARLY_FAILURES[failure])
    result, printed = run_module(instance_module, args, diff=True, with_output=True)
    assert result["failed"] is True
    assert len(mocked.calls) == 0
    assert_clean([printed], ALL_SECRETS.values(), middles=True)


@pytest.mark.parametrize(
    "module, extra",
    [
        (instance_module, {"workspace_id": "ws-1", "instance_id": "inst-1"}),
        (info_module, {"workspace_id": "ws-1", "instance_id": "inst-1"}),
    ],
    ids=["instance", "info"],
)
def test_warnings_name_ignored_options_never_their_values(run_module, mocked, module, extra):
    mocked.add(responses.GET, ITEM_URL, json={"id": "inst-1", "name": "demo", "status": "RUNNING"})
    args = dict(ALL_SECRETS, endpoint=ENDPOINT, user_name="alice", domain_name="acme", project_id="proj-1", **extra)
    result, printed = run_module(module, args, check_mode=True, diff=True, with_output=True)
    assert not result.get("failed"), result
    texts = [json.dumps(warning) for warning in result.get("warnings", [])]
    assert any("ignoring" in text and "secret_key" in text for text in texts), texts
    assert mocked.calls[0].request.headers["X-Auth-Token"] == TOKEN
    assert_clean(texts + [printed], ALL_SECRETS.values(), middles=True)


@pytest.mark.parametrize(
    "bad, option",
    [
        ({"auth_token": TOKEN + "\r\nX-Injected: 1"}, "auth_token"),
        ({"auth_token": "é" + TOKEN}, "auth_token"),
        ({"auth_token": DROP, "access_key": ACCESS_KEY + " x", "secret_key": SECRET_KEY, "project_id": "proj-1"}, "access_key"),
        (
            {
                "auth_token": DROP,
                "access_key": ACCESS_KEY,
                "secret_key": SECRET_KEY,
                "security_token": SECURITY_TOKEN + "\n\n x",
                "project_id": "proj-1",
            },
            "security_token",
        ),
    ],
    ids=["token-crlf", "token-non-ascii", "ak-space", "security-token-newline"],
)
def test_a_credential_that_cannot_be_a_header_is_named_not_shown(run_module, mocked, bad, option):
    args = options({"endpoint": ENDPOINT, "workspace_id": "ws-1", "instance_id": "inst-1", "auth_token": TOKEN}, **bad)
    result, printed = run_module(instance_module, args, with_output=True)
    assert result["failed"] is True and option in result["msg"]
    assert "Traceback" not in printed
    assert len(mocked.calls) == 0
    assert_clean([result["msg"], printed], (TOKEN, ACCESS_KEY, SECRET_KEY, SECURITY_TOKEN), middles=True)


def test_build_auth_registers_the_iam_token_before_anything_else_can_fail(mocked):
    mocked.add(responses.POST, IAM_URL, status=201, headers={"X-Subject-Token": IAM_TOKEN + "\nbad"}, json={})
    registered = []
    params = password_params(region=DROP, project_id="proj-1", iam_endpoint=IAM)
    with pytest.raises(FabricError) as caught:
        build_auth(params, lambda base, auth=None: FabricClient(base, auth=auth, retries=0), registered.append)
    # Even a token that cannot be used is masked first, and the error does not show it.
    assert registered and IAM_TOKEN in registered[0]
    assert_clean(error_texts(caught.value), (IAM_TOKEN, PASSWORD), middles=True)
