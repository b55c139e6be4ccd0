# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SDK-HMAC-SHA256 against the documented and derived vectors, and AkSkAuth on a prepared request."""

from __future__ import annotations

import datetime
import re

import pytest
import requests

from ansible_collections.hwcloud.dataarts.plugins.module_utils import _signer
from ansible_collections.hwcloud.dataarts.plugins.module_utils._auth_methods import AkSkAuth

HOST = "fabric-ep.cn-north-4.myhuaweicloud.com"
AK = "AKEXAMPLE0000000000"
SK = "SKEXAMPLESECRET000000000000000000000000"
PROJECT = "0123456789abcdef0123456789abcdef"
DATE = "20250101T000000Z"
MOMENT = datetime.datetime(2025, 1, 1, 0, 0, 0, tzinfo=datetime.timezone.utc)

VECTOR1_URL = "https://{0}/v1/workspaces/ws-1/services/instances/inst-1".format(HOST)
VECTOR1_BODY = b'{"name": "demo-inst", "description": "d"}'
VECTOR1_CANONICAL = (
    "PUT\n/v1/workspaces/ws-1/services/instances/inst-1/\n\n"
    "content-type:application/json\nhost:fabric-ep.cn-north-4.myhuaweicloud.com\n"
    "x-project-id:0123456789abcdef0123456789abcdef\nx-sdk-date:20250101T000000Z\n\n"
    "content-type;host;x-project-id;x-sdk-date\nbeb3f15f203eb747ed293433b23e228ed0305edb4a98471deee69c32ca229828"
)
VECTOR1_AUTHORIZATION = (
    "SDK-HMAC-SHA256 Access=AKEXAMPLE0000000000, SignedHeaders=content-type;host;x-project-id;x-sdk-date, "
    "Signature=ae4d5989aa35c94fedbb8c4927dd0dce8c803f4f5e3abf74ead2d69f94a6ad3d"
)
VECTOR2_QUERY = [("limit", 10), ("name", "my inst"), ("offset", 0)]
VECTOR2_URL = "https://{0}/v1/workspaces/ws-1/services/instances?limit=10&name=my%20inst&offset=0".format(HOST)
VECTOR2_AUTHORIZATION = (
    "SDK-HMAC-SHA256 Access=AKEXAMPLE0000000000, SignedHeaders=content-type;host;x-sdk-date, "
    "Signature=21078b3c8c9c51a47ce5d6dd2a1e16c4b18a651b9304dff46297532ddc0a0033"
)


def test_official_vector_signature():
    text = "SDK-HMAC-SHA256\n20191115T033655Z\nb25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a"
    assert _signer.signature("MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc", text) == "7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe"


def test_vector1_canonical_request():
    headers = {"content-type": "application/json", "host": HOST, "x-project-id": PROJECT, "x-sdk-date": DATE}
    canonical, signed = _signer.canonical_request("PUT", VECTOR1_URL, headers, VECTOR1_BODY)
    assert canonical == VECTOR1_CANONICAL
    assert signed == "content-type;host;x-project-id;x-sdk-date"


def test_vector1_authorization():
    headers = {"Content-Type": "application/json", "X-Project-Id": PROJECT, "X-Sdk-Date": DATE, "Host": HOST}
    assert _signer.authorization("PUT", VECTOR1_URL, headers, VECTOR1_BODY, AK, SK) == VECTOR1_AUTHORIZATION
    # A str body signs like its UTF-8 bytes.
    assert _signer.authorization("PUT", VECTOR1_URL, headers, VECTOR1_BODY.decode("utf-8"), AK, SK) == VECTOR1_AUTHORIZATION


def test_vector2_authorization():
    headers = {"Content-Type": "application/json", "X-Sdk-Date": DATE, "Host": HOST}
    assert _signer.canonical_query(VECTOR2_QUERY) == "limit=10&name=my%20inst&offset=0"
    assert _signer.authorization("GET", VECTOR2_URL, headers, None, AK, SK) == VECTOR2_AUTHORIZATION
    assert _signer.authorization("GET", VECTOR2_URL, headers, b"", AK, SK) == VECTOR2_AUTHORIZATION


def test_header_values_are_stripped_and_names_lowered():
    headers = {"CONTENT-TYPE": " application/json ", "x-PROJECT-id": PROJECT, "X-Sdk-Date": DATE, "host": HOST}
    assert _signer.authorization("put", VECTOR1_URL, headers, VECTOR1_BODY, AK, SK) == VECTOR1_AUTHORIZATION


def test_headers_with_underscores_are_not_signed():
    headers = {"content-type": "application/json", "host": HOST, "x-sdk-date": DATE, "x_custom": "v"}
    _canonical, signed = _signer.canonical_request("GET", VECTOR2_URL, headers, None)
    assert signed == "content-type;host;x-sdk-date"


def test_unsigned_payload_header_replaces_the_body_hash():
    headers = {"host": HOST, "x-sdk-date": DATE, "x-sdk-content-sha256": "UNSIGNED-PAYLOAD"}
    canonical, _signed = _signer.canonical_request("PUT", VECTOR1_URL, headers, b"anything")
    assert canonical.endswith("\nUNSIGNED-PAYLOAD")
    canonical, _signed = _signer.canonical_request("PUT", VECTOR1_URL, {"host": HOST}, None)
    assert canonical.endswith("\n" + _signer.EMPTY_BODY_SHA256)
    assert _signer.EMPTY_BODY_SHA256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


@pytest.mark.parametrize(
    "path, expected",
    [
        ("/v1/workspaces/ws-1/services/instances", "/v1/workspaces/ws-1/services/instances/"),
        ("/v1/a b/c", "/v1/a%20b/c/"),
        ("/v1/a%20b/c", "/v1/a%20b/c/"),  # already encoded: not encoded twice
        ("/v1/推理/x", "/v1/%E6%8E%A8%E7%90%86/x/"),
        ("/v1/%E6%8E%A8%E7%90%86", "/v1/%E6%8E%A8%E7%90%86/"),
        ("/v1/x/", "/v1/x/"),
        ("/v1/a~b/c+d", "/v1/a~b/c%2Bd/"),
        ("", "/"),
        ("/", "/"),
    ],
)
def test_canonical_uri(path, expected):
    assert _signer.canonical_uri(path) == expected


@pytest.mark.parametrize(
    "pairs, expected",
    [
        ([], ""),
        ([("b", "2"), ("a", "z"), ("a", "y")], "a=y&a=z&b=2"),
        ([("flag", True), ("off", False)], "flag=true&off=false"),
        ([("limit", 100), ("offset", 0)], "limit=100&offset=0"),
        ([("name", "my inst")], "name=my%20inst"),
        ([("name", "a+b/c~d")], "name=a%2Bb%2Fc~d"),
        ([("name", "推理")], "name=%E6%8E%A8%E7%90%86"),
        ([("empty", "")], "empty="),
        ([("k y", "v")], "k%20y=v"),
    ],
)
def test_canonical_query(pairs, expected):
    assert _signer.canonical_query(pairs) == expected


def test_canonical_query_sorts_repeated_keys_by_value_not_by_input_order():
    assert _signer.canonical_query([("id", "b"), ("id", "a")]) == _signer.canonical_query([("id", "a"), ("id", "b")])


def test_sdk_date():
    assert _signer.sdk_date(MOMENT) == DATE
    assert re.match(r"^\d{8}T\d{6}Z$", _signer.sdk_date())


def prepared(method, url, body=None):
    return requests.Request(method, url, data=body, headers={"Content-Type": "application/json"}).prepare()


def test_aksk_auth_reproduces_vector1_on_a_prepared_request():
    request = AkSkAuth(AK, SK, project_id=PROJECT, now=lambda: MOMENT)(prepared("PUT", VECTOR1_URL, VECTOR1_BODY))
    assert request.headers["X-Sdk-Date"] == DATE
    assert request.headers["Host"] == HOST
    assert request.headers["X-Project-Id"] == PROJECT
    assert "X-Security-Token" not in request.headers
    assert request.headers["Authorization"] == VECTOR1_AUTHORIZATION


def test_aksk_auth_reproduces_vector2_on_a_prepared_request():
    url = "https://{0}/v1/workspaces/ws-1/services/instances?{1}".format(HOST, _signer.canonical_query(VECTOR2_QUERY))
    request = AkSkAuth(AK, SK, now=lambda: MOMENT)(prepared("GET", url))
    assert "X-Project-Id" not in request.headers
    assert request.headers["Authorization"] == VECTOR2_AUTHORIZATION


def test_aksk_auth_adds_every_header_and_signs_the_security_token():
    auth = AkSkAuth(AK, SK, security_token="temporary-token-value", project_id=PROJECT, now=lambda: MOMENT)
    request = auth(prepared("PUT", "https://127.0.0.1:8787/v1/workspaces/ws-1/services/instances/inst-1", VECTOR1_BODY))
    assert request.headers["Host"] == "127.0.0.1:8787"
    assert request.headers["X-Sdk-Date"] == DATE
    assert request.headers["X-Project-Id"] == PROJECT
    assert request.headers["X-Security-Token"] == "temporary-token-value"
    authorization = request.headers["Authorization"]
    assert authorization.startswith("SDK-HMAC-SHA256 Access={0}, ".format(AK))
    assert "SignedHeaders=content-type;host;x-project-id;x-sdk-date;x-security-token," in authorization
    assert re.search(r"Signature=[0-9a-f]{64}$", authorization)
    # The security token is part of the signature: another token, another signature.
    other = AkSkAuth(AK, SK, security_token="another-token", project_id=PROJECT, now=lambda: MOMENT)(
        prepared("PUT", "https://127.0.0.1:8787/v1/workspaces/ws-1/services/instances/inst-1", VECTOR1_BODY)
    )
    assert other.headers["Authorization"] != authorization


def test_two_moments_give_two_signatures():
    moments = iter([MOMENT, MOMENT + datetime.timedelta(seconds=1)])
    auth = AkSkAuth(AK, SK, project_id=PROJECT, now=lambda: next(moments))
    first = auth(prepared("PUT", VECTOR1_URL, VECTOR1_BODY))
    second = auth(prepared("PUT", VECTOR1_URL, VECTOR1_BODY))
    assert first.headers["X-Sdk-Date"] != second.headers["X-Sdk-Date"]
    assert first.headers["Authorization"] != second.headers["Authorization"]


def test_body_is_signed():
    auth = AkSkAuth(AK, SK, project_id=PROJECT, now=lambda: MOMENT)
    one = auth(prepared("PUT", VECTOR1_URL, b'{"name":"a"}'))
    two = auth(prepared("PUT", VECTOR1_URL, b'{"name":"b"}'))
    assert one.headers["Authorization"] != two.headers["Authorization"]


def test_aksk_auth_repr_hides_the_keys():
    auth = AkSkAuth(AK, SK, security_token="temporary-token-value")
    assert SK not in repr(auth)
    assert "temporary-token-value" not in repr(auth)
