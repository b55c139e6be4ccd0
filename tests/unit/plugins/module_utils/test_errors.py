# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""api_error on every documented error body and on the shapes the API is not documented to send."""

from __future__ import annotations

import json

import pytest
from requests.structures import CaseInsensitiveDict

from ansible_collections.hwcloud.dataarts.plugins.module_utils._errors import (
    FabricApiError,
    FabricConnectionError,
    FabricError,
    FabricWaitError,
    api_error,
    request_id_of,
)

PATH = "/v1/workspaces/ws-1/services/instances/inst-1"

# The per-status example bodies of the reference (§3.2), verbatim.
DOCUMENTED = [
    (
        400,
        {
            "error_code": "common.01000001",
            "error_msg": "failed to read http request, please check your input, code: 400, reason: Type mismatch., cause: TypeMismatchException",
        },
        "common.01000001",
        "failed to read http request, please check your input, code: 400, reason: Type mismatch., cause: TypeMismatchException",
    ),
    (
        401,
        {"error_code": "APIG.1002", "error_msg": "Incorrect token or token resolution failed"},
        "APIG.1002",
        "Incorrect token or token resolution failed",
    ),
    (
        403,
        {
            "error": {"code": "403", "message": "X-Auth-Token is invalid in the request", "title": "Forbidden"},
            "error_code": 403,
            "error_msg": "X-Auth-Token is invalid in the request",
            "title": "Forbidden",
        },
        "403",
        "X-Auth-Token is invalid in the request",
    ),
    (
        404,
        {"error_code": "common.01000001", "error_msg": "response status exception, code: 404"},
        "common.01000001",
        "response status exception, code: 404",
    ),
    (408, {"error_code": "common.00000408", "error_msg": "timeout exception occurred"}, "common.00000408", "timeout exception occurred"),
    (500, {"error_code": "common.00000500", "error_msg": "internal error"}, "common.00000500", "internal error"),
]


def headers(request_id="req-0123456789"):
    # Real responses have case-insensitive headers; the server may spell the name in lower case.
    return CaseInsensitiveDict({"x-request-id": request_id, "Content-Type": "application/json"})


@pytest.mark.parametrize("status, body, code, msg", DOCUMENTED, ids=[str(case[0]) for case in DOCUMENTED])
def test_documented_bodies(status, body, code, msg):
    err = api_error(status, "PUT", PATH, headers("rid-{0}".format(status)), json.dumps(body))
    assert isinstance(err, FabricApiError)
    assert isinstance(err, FabricError)
    assert err.status == status
    assert err.method == "PUT"
    assert err.path == PATH
    assert err.error_code == code
    assert isinstance(err.error_code, str)
    assert err.error_msg == msg
    assert err.solution_msg is None
    assert err.request_id == "rid-{0}".format(status)
    text = str(err)
    assert "HTTP {0}".format(status) in text
    assert "error_code={0}".format(code) in text
    assert "error_msg={0}".format(msg) in text
    assert "request_id=rid-{0}".format(status) in text
    assert "PUT {0}".format(PATH) in text
    assert "solution_msg" not in text


def test_403_integer_code_becomes_string_and_top_level_wins():
    body = {"error": {"code": "nested", "message": "nested message"}, "error_code": 403, "error_msg": "top message"}
    err = api_error(403, "GET", PATH, headers(), json.dumps(body))
    assert err.error_code == "403"
    assert err.error_msg == "top message"


def test_solution_msg_in_message_and_details():
    body = {"error_code": "dataartsfabric.00010003", "error_msg": "Workspace not exist.", "solution_msg": "Create a workspace first."}
    err = api_error(400, "GET", PATH, headers("rid-sol"), json.dumps(body))
    assert err.solution_msg == "Create a workspace first."
    text = str(err)
    for part in (
        "HTTP 400",
        "error_code=dataartsfabric.00010003",
        "error_msg=Workspace not exist.",
        "solution_msg=Create a workspace first.",
        "request_id=rid-sol",
    ):
        assert part in text
    assert err.details() == {
        "error": {
            "status": 400,
            "error_code": "dataartsfabric.00010003",
            "error_msg": "Workspace not exist.",
            "solution_msg": "Create a workspace first.",
            "request_id": "rid-sol",
        }
    }


HTML = """<!DOCTYPE html>
<html>
<head><title>502 Bad Gateway</title><style>body { color: red; }</style></head>
<body>
  <h1>502   Bad Gateway</h1>
  <hr><center>nginx/1.25</center>
</body>
</html>"""


def test_html_page_gives_a_tagless_snippet():
    err = api_error(502, "GET", PATH, headers("rid-html"), HTML)
    assert err.error_code == "502"
    assert err.error_msg is not None
    assert "<" not in err.error_msg and ">" not in err.error_msg
    assert "502 Bad Gateway" in err.error_msg
    assert "nginx/1.25" in err.error_msg
    assert "\n" not in err.error_msg and "  " not in err.error_msg
    text = str(err)
    assert "HTTP 502" in text and "request_id=rid-html" in text and "nginx/1.25" in text
    assert "<h1>" not in text


def test_long_text_body_is_cut_to_a_snippet():
    page = "<html><body><p>" + "gateway trouble " * 200 + "</p></body></html>"
    err = api_error(504, "GET", PATH, headers(), page)
    assert err.error_msg.startswith("gateway trouble")
    assert 0 < len(err.error_msg) <= 200
    assert len(str(err)) < len(page)


def test_plain_text_body():
    err = api_error(503, "GET", PATH, headers(), "Service Unavailable")
    assert err.error_code == "503"
    assert err.error_msg == "Service Unavailable"


def test_json_that_is_not_an_object_is_shown_as_text():
    err = api_error(500, "GET", PATH, headers(), '["boom"]')
    assert err.error_code == "500"
    assert "boom" in err.error_msg


@pytest.mark.parametrize("body_text", ["", None, "   \n  ", "<html></html>"])
def test_empty_body(body_text):
    err = api_error(500, "DELETE", PATH, headers("rid-empty"), body_text)
    assert err.error_code == "500"
    assert err.error_msg is None
    text = str(err)
    assert "HTTP 500" in text
    assert "error_code=500" in text
    assert "error_msg" not in text
    assert "request_id=rid-empty" in text


def test_errorcode_errormsg_shape():
    body = {"errorCode": "APIG.0308", "errorMsg": "The throttling threshold has been reached"}
    err = api_error(429, "GET", PATH, headers(), json.dumps(body))
    assert err.error_code == "APIG.0308"
    assert err.error_msg == "The throttling threshold has been reached"


def test_code_message_shape():
    body = {"code": "IAM.0101", "message": "The request you have made requires authentication."}
    err = api_error(401, "POST", "/v3/auth/tokens", headers(), json.dumps(body))
    assert err.error_code == "IAM.0101"
    assert err.error_msg == "The request you have made requires authentication."


def test_codes_only_in_a_nested_object():
    body = {"error": {"code": "APIG.0301", "message": "Incorrect IAM authentication information: verify aksk signature fail"}}
    err = api_error(401, "GET", PATH, headers(), json.dumps(body))
    assert err.error_code == "APIG.0301"
    assert err.error_msg == "Incorrect IAM authentication information: verify aksk signature fail"


def test_json_object_without_codes_falls_back_to_status():
    err = api_error(418, "GET", PATH, headers(), json.dumps({"something": "else", "nested": {"x": 1}}))
    assert err.error_code == "418"
    assert err.error_msg is None


def test_request_id_missing():
    err = api_error(500, "GET", PATH, CaseInsensitiveDict({}), json.dumps({"error_code": "x.1", "error_msg": "m"}))
    assert err.request_id is None
    assert "request_id=(none)" in str(err)
    err = api_error(500, "GET", PATH, None, "")
    assert err.request_id is None


@pytest.mark.parametrize("name", ["X-Request-Id", "x-request-id", "X-request-id", "X-REQUEST-ID"])
def test_request_id_any_spelling(name):
    assert request_id_of(CaseInsensitiveDict({name: "abc-123"})) == "abc-123"
    assert api_error(404, "GET", PATH, CaseInsensitiveDict({name: "abc-123"}), "").request_id == "abc-123"


def test_connection_error_message():
    err = FabricConnectionError("GET", PATH, "ConnectionError: refused", 6)
    assert isinstance(err, FabricError)
    assert str(err) == "GET {0} failed after 6 attempt(s): ConnectionError: refused".format(PATH)
    assert err.attempts == 6
    assert err.details() == {}


def test_wait_error_details():
    instance = {"id": "inst-1", "status": "FAILED"}
    assert FabricWaitError("failed", instance).details() == {"instance": instance}
    assert FabricWaitError("timed out").details() == {}
