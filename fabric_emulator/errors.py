# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Error bodies of the Fabric-ep API (documented shapes, see the API reference section 3)."""

from __future__ import annotations

import copy
import http

BAD_INPUT_CODE = "common.01000001"

# Bodies copied from the documentation (section 3.2 and the APIG FAQ pages).
DEFAULT_ERROR_BODIES = {
    400: {
        "error_code": BAD_INPUT_CODE,
        "error_msg": "failed to read http request, please check your input, code: 400, reason: Type mismatch., cause: TypeMismatchException",
    },
    401: {"error_code": "APIG.1002", "error_msg": "Incorrect token or token resolution failed"},
    403: {
        "error": {"code": "403", "message": "X-Auth-Token is invalid in the request", "title": "Forbidden"},
        "error_code": 403,
        "error_msg": "X-Auth-Token is invalid in the request",
        "title": "Forbidden",
    },
    404: {"error_code": BAD_INPUT_CODE, "error_msg": "response status exception, code: 404"},
    408: {"error_code": "common.00000408", "error_msg": "timeout exception occurred"},
    429: {
        "error_code": "APIG.0308",
        "error_msg": "The throttling threshold has been reached: policy user over ratelimit,limit:10,time:1 second",
    },
    500: {"error_code": "common.00000500", "error_msg": "internal error"},
    503: {"error_code": "APIG.0201", "error_msg": "Backend unavailable"},
}


def status_phrase(status):
    """Reason phrase of an HTTP status code ('Unknown' when it has none)."""
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def default_error_body(status):
    """The documented error body for a status, or a generic one of the same shape."""
    if status in DEFAULT_ERROR_BODIES:
        return copy.deepcopy(DEFAULT_ERROR_BODIES[status])
    return {"error_code": "common.00000%03d" % status, "error_msg": status_phrase(status).lower()}


class ApiError(Exception):
    """An error answer: HTTP status, JSON body and optional extra headers."""

    def __init__(self, status, body, headers=None):
        message = body.get("error_msg") if isinstance(body, dict) else body
        super().__init__("%s %s" % (status, message))
        self.status = status
        self.body = body
        self.headers = list(headers or [])


def bad_request(reason, cause="MethodArgumentNotValidException"):
    """400 in the style of the documented example (framework-level input errors)."""
    return ApiError(
        400,
        {
            "error_code": BAD_INPUT_CODE,
            "error_msg": "failed to read http request, please check your input, code: 400, reason: %s, cause: %s" % (reason, cause),
        },
    )


def type_mismatch(field, expected):
    """400 for a value of the wrong JSON type."""
    return bad_request("Type mismatch. %s must be %s." % (field, expected), "TypeMismatchException")


def rejected(message):
    """400 for a request the service refuses (business rule)."""
    return ApiError(400, {"error_code": BAD_INPUT_CODE, "error_msg": message})


def not_found():
    """404 for an unknown instance or route."""
    return ApiError(404, default_error_body(404))


def workspace_not_found():
    """400 for an unknown workspace (DataArts Fabric error 00010003)."""
    return ApiError(
        400,
        {
            "error_code": "dataartsfabric.00010003",
            "error_msg": "Workspace not exist.",
            "solution_msg": "Create a workspace first.",
        },
    )


def unauthorized():
    """401 for a missing or wrong token."""
    return ApiError(401, default_error_body(401))
