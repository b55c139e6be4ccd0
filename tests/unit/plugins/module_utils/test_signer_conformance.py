# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Conformance of our SDK-HMAC-SHA256 signer with the official one (huaweicloudsdkcore's ``Signer``).

The official SDK is a test-only dependency (tests/requirements.txt); the collection never imports it.
Requests are generated from fixed seeds, so every run checks the same cases and a failure names its case:
methods, paths with spaces, non-ASCII characters, ``~`` and reserved characters, queries with repeated keys,
booleans, empty values and characters that must be encoded, empty and non-empty bodies, with and without
X-Project-Id and X-Security-Token, at fixed X-Sdk-Date values.

* ``_signer.authorization`` on a URL against ``BasicCredentials.sign_request`` on the same request: identical
  Authorization headers, and the SDK's request URI (path + canonical query) is what we send.
* The whole client path (FabricClient.url, requests' preparation, AkSkAuth) on real prepared requests, captured
  as sent: the SDK, signing the same logical request with the headers we signed, agrees, and the query sent is
  exactly the SDK's canonical query.
"""

from __future__ import annotations

import datetime
import json
import random
import re
from urllib.parse import quote, urlsplit

import pytest
import responses
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

from ansible_collections.hwcloud.dataarts.plugins.module_utils import _signer
from ansible_collections.hwcloud.dataarts.plugins.module_utils._auth_methods import AkSkAuth
from ansible_collections.hwcloud.dataarts.plugins.module_utils._http import FabricClient

SIGNER_SEEDS = range(20)
SIGNER_CASES_PER_SEED = 50  # 1000 requests
CLIENT_SEEDS = range(100, 106)
CLIENT_CASES_PER_SEED = 50  # 300 requests

HOSTS = ("fabric-ep.cn-north-4.myhuaweicloud.com", "iam.cn-north-4.myhuaweicloud.com", "127.0.0.1:8787", "[::1]:8443", "fabric.test")
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "get", "Put")
# Characters of path segments and query text: unreserved, reserved, space, plus, percent, and non-ASCII (CJK, Latin, emoji).
PLAIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_."
SPECIAL = " ~+!$&'()*,;=:@[]%?#/\"<>^`{|}"
NON_ASCII = ("推理", "é", "ß", "Ω", "\u00a0", "😀", "ü")
QUERY_KEYS = ("name", "limit", "offset", "id", "filter", "a b", "k+1", "推理", "x~y", "sort_by", "é")
CONTENT_TYPES = ("application/json", "application/json;charset=UTF-8", "application/json; charset=utf-8", None)
EXTRA_HEADERS = ("User-Agent", "Accept", "X-Request-Id", "X-Custom", "x-lower-case", "X_Under_Score", "Content-Language")


def text(rng, max_length, alphabet_weight=0.7):
    """Random text: mostly plain characters, with reserved ones, spaces and non-ASCII mixed in."""
    out = []
    for _index in range(rng.randint(0, max_length)):
        roll = rng.random()
        if roll < alphabet_weight:
            out.append(rng.choice(PLAIN))
        elif roll < 0.9:
            out.append(rng.choice(SPECIAL))
        else:
            out.append(rng.choice(NON_ASCII))
    return "".join(out)


def logical_path(rng, url_safe=False):
    """A path of 1-5 segments (an empty one now and then, a trailing slash now and then)."""
    segments = []
    for _index in range(rng.randint(1, 5)):
        segment = text(rng, 12) if rng.random() < 0.6 else rng.choice(("v1", "workspaces", "ws-1", "services", "instances", "a b", "推理", "x~y"))
        if url_safe:
            # Sent as it is: no character that ends a path, and no dot segment (requests resolves "." and "..",
            # so what is sent and signed is another path than the SDK's; ids are validated never to be one).
            segment = segment.replace("%", "").replace("?", "").replace("#", "")
            if segment.strip(".") == "":
                segment += "x"
        segments.append(segment.replace("/", ""))
    path = "/" + "/".join(segments)
    if rng.random() < 0.1:
        path += "/"
    return path


def query_pairs(rng):
    """(key, value) pairs; repeated keys carry strings only (the SDK sorts the raw tuples), others may be int or bool."""
    pairs = []
    for _index in range(rng.choice((0, 0, 1, 2, 3, 5, 8))):
        key = rng.choice(QUERY_KEYS) if rng.random() < 0.7 else text(rng, 6)
        pairs.append((key, text(rng, 10)))
    if rng.random() < 0.3:
        pairs.append(("limit" + str(rng.randint(0, 9)) + "n", rng.randint(0, 1000)))
    if rng.random() < 0.2:
        pairs.append(("flag" + str(rng.randint(0, 9)) + "b", rng.random() < 0.5))
    if rng.random() < 0.2 and pairs:
        pairs.append(rng.choice([pair for pair in pairs if isinstance(pair[1], str)] or [("dup", "")]))  # an exact duplicate
    rng.shuffle(pairs)
    return pairs


def as_query_text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def url_query(rng, pairs):
    """The query as a URL holds it: our canonical form, or the same pairs encoded in another order."""
    if rng.random() < 0.5:
        return _signer.canonical_query(pairs)
    shuffled = list(pairs)
    rng.shuffle(shuffled)
    return "&".join("{0}={1}".format(quote(key, safe=""), quote(as_query_text(value), safe="")) for key, value in shuffled)


def body_bytes(rng):
    roll = rng.random()
    if roll < 0.3:
        return None
    if roll < 0.4:
        return b""
    if roll < 0.7:
        return json.dumps({"name": text(rng, 20), "description": text(rng, 40), "n": rng.randint(0, 9)}, ensure_ascii=rng.random() < 0.5).encode(
            "utf-8"
        )
    return bytes(rng.getrandbits(8) for _index in range(rng.randint(1, 200)))


def sdk_date(rng):
    moment = datetime.datetime(2019, 1, 1) + datetime.timedelta(seconds=rng.randint(0, 10 * 365 * 86400))
    return moment.strftime("%Y%m%dT%H%M%SZ")


def credentials(rng):
    access_key = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _index in range(20))
    secret_key = "".join(rng.choice(PLAIN) for _index in range(40))
    if rng.random() < 0.1:
        secret_key += rng.choice(NON_ASCII)
    project_id = "".join(rng.choice("0123456789abcdef") for _index in range(32)) if rng.random() < 0.5 else None
    security_token = ("gQpjbi1ub3J0aC00" + "".join(rng.choice(PLAIN) for _index in range(rng.randint(40, 300)))) if rng.random() < 0.3 else None
    return access_key, secret_key, project_id, security_token


def sdk_credentials(access_key, secret_key, project_id, security_token):
    creds = BasicCredentials(access_key, secret_key, project_id)
    if security_token:
        creds.with_security_token(security_token)
    return creds


def signer_case(rng):
    """One request: what the SDK signs, and the same request as our signer sees it (URL + headers)."""
    method = rng.choice(METHODS)
    host = rng.choice(HOSTS)
    scheme = rng.choice(("https", "http"))
    logical = logical_path(rng)
    # The path as the URL (and the SDK's resource_path) holds it: encoded, or raw when it can be.
    if rng.random() < 0.5 or any(char in logical for char in "%?#"):
        path = quote(logical, safe="/" + rng.choice(("", "~", "~!$&'()*,;=:@")))
    else:
        path = logical
    pairs = query_pairs(rng)
    query = url_query(rng, pairs)
    url = "{0}://{1}{2}{3}".format(scheme, host, path, "?" + query if query else "")
    headers = {"X-Sdk-Date": sdk_date(rng), rng.choice(("Host", "host", "HOST")): host}
    content_type = rng.choice(CONTENT_TYPES + ("text/plain", "application/octet-stream") if rng.random() < 0.1 else CONTENT_TYPES)
    if content_type:
        headers[rng.choice(("Content-Type", "content-type"))] = content_type
        if not content_type.startswith(("application/json", "application/bson")):
            headers["X-Sdk-Content-Sha256"] = "UNSIGNED-PAYLOAD"  # the SDK adds exactly this; given to both
    for name in rng.sample(EXTRA_HEADERS, rng.randint(0, 3)):
        headers[name] = rng.choice(("  padded value  ", "v", text(rng, 15, 0.9).strip() or "x", "a, b;c=d"))
    body = body_bytes(rng)
    if body is not None and rng.random() < 0.2:
        body = body.decode("utf-8", errors="replace")  # a str body signs as its UTF-8 bytes
    return method, scheme, host, path, pairs, url, headers, body


def sdk_sign(method, scheme, host, resource_path, pairs, headers, body, creds):
    request = SdkRequest(
        method=method, schema=scheme, host=host, resource_path=resource_path, query_params=list(pairs), header_params=dict(headers), body=body
    )
    return creds.sign_request(request)


@pytest.mark.parametrize("seed", SIGNER_SEEDS)
def test_signer_matches_the_official_sdk(seed):
    rng = random.Random(seed)
    checked = 0
    for index in range(SIGNER_CASES_PER_SEED):
        method, scheme, host, path, pairs, url, headers, body = signer_case(rng)
        access_key, secret_key, project_id, security_token = credentials(rng)
        signed = sdk_sign(method, scheme, host, path, pairs, headers, body, sdk_credentials(access_key, secret_key, project_id, security_token))
        ours_headers = dict(headers)
        if project_id:
            ours_headers["X-Project-Id"] = project_id
        if security_token:
            ours_headers["X-Security-Token"] = security_token
        ours = _signer.authorization(method, url, ours_headers, body, access_key, secret_key)
        case = "seed {0} case {1}: {2} {3!r} headers={4!r}".format(seed, index, method, url, sorted(ours_headers))
        # The same headers: the SDK added none of its own (Host and X-Sdk-Date were given).
        assert sorted(name.lower() for name in signed.header_params if name != "Authorization") == sorted(name.lower() for name in ours_headers), case
        assert ours == signed.header_params["Authorization"], case
        # What the SDK sends (path + canonical query) is what our URL becomes before it is sent.
        canonical = urlsplit(_signer.canonical_url(url))
        assert canonical.path + ("?" + canonical.query if canonical.query else "") == signed.uri, case
        checked += 1
    assert checked == SIGNER_CASES_PER_SEED


def client_case(rng):
    """A logical request as a module makes it: FabricClient path, (key, value) query pairs, a JSON body or none."""
    method = rng.choice(("GET", "POST", "PUT", "DELETE"))
    host = rng.choice(HOSTS)
    path = logical_path(rng, url_safe=True)
    pairs = query_pairs(rng)
    body = None
    if method in ("POST", "PUT") or rng.random() < 0.1:
        body = {"name": text(rng, 20), "description": text(rng, 40)} if rng.random() < 0.9 else {}
    return method, host, path, pairs, body


@pytest.mark.parametrize("seed", CLIENT_SEEDS)
def test_requests_sent_by_the_client_are_signed_as_the_sdk_signs_them(mocked, seed):
    rng = random.Random(seed)
    mocked.add_callback(responses.GET, re.compile(r".*"), callback=lambda request: (200, {}, "{}"))
    for method in ("POST", "PUT", "DELETE"):
        mocked.add_callback(method, re.compile(r".*"), callback=lambda request: (200, {}, "{}"))
    for index in range(CLIENT_CASES_PER_SEED):
        method, host, path, pairs, body = client_case(rng)
        access_key, secret_key, project_id, security_token = credentials(rng)
        moment = datetime.datetime.strptime(sdk_date(rng), "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
        auth = AkSkAuth(access_key, secret_key, security_token=security_token, project_id=project_id, now=lambda moment=moment: moment)
        client = FabricClient("https://" + host, auth=auth, retries=0)
        client.request(method, path, query=pairs, body=body)
        sent = mocked.calls[-1].request
        case = "seed {0} case {1}: {2} {3!r}".format(seed, index, method, sent.url)
        authorization = sent.headers["Authorization"]
        signed_names = re.search(r"SignedHeaders=([^,]+),", authorization).group(1).split(";")
        assert "x-sdk-date" in signed_names and "host" in signed_names, case
        assert ("x-project-id" in signed_names) == bool(project_id), case
        assert ("x-security-token" in signed_names) == bool(security_token), case
        # The SDK signs the logical request (raw path, the pairs) with the headers we signed, except the two its
        # credentials add themselves.
        header_params = {
            name: value
            for name, value in sent.headers.items()
            if name.lower() in signed_names and name.lower() not in ("x-project-id", "x-security-token")
        }
        signed = sdk_sign(
            method, "https", host, path, pairs, header_params, sent.body, sdk_credentials(access_key, secret_key, project_id, security_token)
        )
        assert authorization == signed.header_params["Authorization"], case
        # The query sent is exactly the SDK's canonical query (sorted, %20 for a space); the path sent means the same path.
        parts = urlsplit(sent.url)
        assert parts.query == Signer.process_canonical_query_string(signed), case
        assert _signer.canonical_uri(parts.path) == _signer.canonical_uri(path), case
    assert len(mocked.calls) == CLIENT_CASES_PER_SEED


def test_case_counts():
    """The note of issue 3 quotes these numbers."""
    assert len(SIGNER_SEEDS) * SIGNER_CASES_PER_SEED == 1000
    assert len(CLIENT_SEEDS) * CLIENT_CASES_PER_SEED == 300


def test_documented_vectors_through_the_official_signer():
    """The reference's derived vectors come out of the SDK too (guards the harness itself)."""
    host = "fabric-ep.cn-north-4.myhuaweicloud.com"
    creds = BasicCredentials("AKEXAMPLE0000000000", "SKEXAMPLESECRET000000000000000000000000", "0123456789abcdef0123456789abcdef")
    signed = sdk_sign(
        "PUT",
        "https",
        host,
        "/v1/workspaces/ws-1/services/instances/inst-1",
        [],
        {"Content-Type": "application/json", "X-Sdk-Date": "20250101T000000Z"},
        b'{"name": "demo-inst", "description": "d"}',
        creds,
    )
    assert signed.header_params["Authorization"].endswith("Signature=ae4d5989aa35c94fedbb8c4927dd0dce8c803f4f5e3abf74ead2d69f94a6ad3d")
    signed = sdk_sign(
        "GET",
        "https",
        host,
        "/v1/workspaces/ws-1/services/instances",
        [("limit", 10), ("name", "my inst"), ("offset", 0)],
        {"Content-Type": "application/json", "X-Sdk-Date": "20250101T000000Z"},
        b"",
        BasicCredentials("AKEXAMPLE0000000000", "SKEXAMPLESECRET000000000000000000000000"),
    )
    assert signed.header_params["Authorization"].endswith("Signature=21078b3c8c9c51a47ce5d6dd2a1e16c4b18a651b9304dff46297532ddc0a0033")
    assert signed.uri == "/v1/workspaces/ws-1/services/instances?limit=10&name=my%20inst&offset=0"
