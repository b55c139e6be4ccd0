# -*- coding: utf-8 -*-
# Copyright: hwcloud.dataarts contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SDK-HMAC-SHA256 request signing, as Huawei Cloud's API gateway (APIG) verifies it.

Pure functions on strings and bytes, so that the signature can be tested against the
documented vectors and the official SDK's signer without any HTTP.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
from urllib.parse import quote, unquote, urlsplit, urlunsplit

ALGORITHM = "SDK-HMAC-SHA256"
DATE_HEADER = "X-Sdk-Date"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
EMPTY_BODY_SHA256 = hashlib.sha256(b"").hexdigest()


def sdk_date(now=None):
    """The X-Sdk-Date value for a moment (UTC, now by default)."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return now.strftime(DATE_FORMAT)


def _quote(value):
    return quote(value, safe="~")


def canonical_query(pairs):
    """Sorted, %20-encoded ``k=v`` pairs; also the exact query string we send."""
    encoded = []
    for key, value in sorted((str(k), _query_value(v)) for k, v in pairs):
        encoded.append("{0}={1}".format(_quote(key), _quote(value)))
    return "&".join(encoded)


def parse_query(query):
    """The (key, value) pairs of a raw query string, decoded; unlike parse_qsl a ``+`` stays a plus (the query we
    send has a space as %20 and a plus as %2B, and API Gateway decodes it the same way)."""
    pairs = []
    for part in (query or "").split("&"):
        if part:
            key, _sep, value = part.partition("=")
            pairs.append((unquote(key), unquote(value)))
    return pairs


def canonical_url(url):
    """``url`` with its query in canonical form (sorted, %20-encoded): what is sent is exactly what is signed."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, canonical_query(parse_query(parts.query)), parts.fragment))


def _query_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def canonical_uri(path):
    """Each segment percent-encoded, and always a trailing slash (only in the signed form)."""
    segments = [_quote(segment) for segment in unquote(path or "/").split("/")]
    uri = "/".join(segments)
    return uri if uri.endswith("/") else uri + "/"


def _body_sha256(body, headers):
    if not body:
        return EMPTY_BODY_SHA256
    if "x-sdk-content-sha256" in headers:
        return headers["x-sdk-content-sha256"]
    if isinstance(body, str):
        body = body.encode("utf-8")
    return hashlib.sha256(body).hexdigest()


def canonical_request(method, url, headers, body):
    """The canonical request and the signed-header list for already-lower-cased ``headers``."""
    parts = urlsplit(url)
    signed = sorted(name for name in headers if "_" not in name)
    canonical_headers = "".join("{0}:{1}\n".format(name, headers[name]) for name in signed)
    text = "\n".join(
        [
            method.upper(),
            canonical_uri(parts.path),
            canonical_query(parse_query(parts.query)),
            canonical_headers,
            ";".join(signed),
            _body_sha256(body, headers),
        ]
    )
    return text, ";".join(signed)


def string_to_sign(date, canonical):
    return "\n".join([ALGORITHM, date, hashlib.sha256(canonical.encode("utf-8")).hexdigest()])


def signature(secret_key, text_to_sign):
    return hmac.new(secret_key.encode("utf-8"), text_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def authorization(method, url, headers, body, access_key, secret_key):
    """The Authorization header value for a request whose ``headers`` (incl. Host, X-Sdk-Date) are all signed."""
    lowered = {name.lower(): str(value).strip() for name, value in headers.items()}
    canonical, signed = canonical_request(method, url, lowered, body)
    sig = signature(secret_key, string_to_sign(lowered[DATE_HEADER.lower()], canonical))
    return "{0} Access={1}, SignedHeaders={2}, Signature={3}".format(ALGORITHM, access_key, signed, sig)
