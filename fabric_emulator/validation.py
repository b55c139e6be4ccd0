# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input validation of the Fabric-ep service-instance API (documented constraints)."""

from __future__ import annotations

import json
import re

from .errors import bad_request, type_mismatch

ID_RE = re.compile(r"[A-Za-z0-9-]{1,36}")
NAME_RE = re.compile(r"[\u4e00-\u9fa5A-Za-z0-9_\-. ]{1,64}")
NAME_FILTER_RE = re.compile(r"[A-Za-z0-9-]{1,36}")
DESCRIPTION_FORBIDDEN = frozenset("!<>=&'\"")
DESCRIPTION_MAX = 1024
SPEC_CODE_MAX = 64
MAX_MAX = 1000
LIMIT_RANGE = (1, 100)
OFFSET_RANGE = (0, 1000000000)
SERVICE_TYPES = ("LLM_MODEL", "PGSQL_SERVICE")
VISIBILITIES = ("PRIVATE", "PUBLIC")
SORT_KEYS = ("CREATE_TIME", "DURATION")
ORDERS = ("ASC", "DESC")
LIST_ID_FILTERS = ("id", "endpoint_id", "source_id", "version_id")

ID_RULE = "1 to 36 letters, digits and hyphens"
NAME_RULE = "1 to 64 characters: Chinese characters, letters, digits, underscores, hyphens, periods and spaces"


def check_path_id(value, field):
    """workspace_id / instance_id path parameters."""
    if not ID_RE.fullmatch(value):
        raise bad_request("%s must be %s" % (field, ID_RULE), "ConstraintViolationException")


# ------------------------------------------------------------------ JSON
def parse_json_body(raw):
    """The JSON object of a request body. Raises ApiError 400."""
    if not raw:
        raise bad_request("Required request body is missing.", "HttpMessageNotReadableException")
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise bad_request("JSON parse error.", "HttpMessageNotReadableException") from None
    if not isinstance(body, dict):
        raise type_mismatch("the request body", "a JSON object")
    return body


def _known_fields(obj, allowed, prefix):
    for key in obj:
        if key not in allowed:
            raise bad_request('Unrecognized field "%s%s"' % (prefix, key), "UnrecognizedPropertyException")


def _object(value, field):
    if not isinstance(value, dict):
        raise type_mismatch(field, "an object")
    return value


def _string(value, field):
    if not isinstance(value, str):
        raise type_mismatch(field, "a string")
    return value


def _integer(value, field):
    if not isinstance(value, int) or isinstance(value, bool):
        raise type_mismatch(field, "an integer")
    return value


def _required(obj, key, field):
    value = obj.get(key)
    if value is None:
        raise bad_request("%s is required" % field)
    return value


def _check_name(value, field="name"):
    _string(value, field)
    if not NAME_RE.fullmatch(value):
        raise bad_request("%s must be %s" % (field, NAME_RULE))
    return value


def _check_description(value, field="description"):
    _string(value, field)
    if len(value) > DESCRIPTION_MAX:
        raise bad_request("%s must be at most %d characters" % (field, DESCRIPTION_MAX))
    bad = sorted(set(value) & DESCRIPTION_FORBIDDEN)
    if bad:
        raise bad_request("%s must not contain any of !<>=&'\" (found %s)" % (field, "".join(bad)))
    return value


def _check_id(value, field):
    _string(value, field)
    if not ID_RE.fullmatch(value):
        raise bad_request("%s must be %s" % (field, ID_RULE))
    return value


def _check_source(value):
    _object(value, "source")
    _known_fields(value, ("id", "version_id"), "source.")
    source = {"id": _check_id(_required(value, "id", "source.id"), "source.id")}
    if value.get("version_id") is not None:
        source["version_id"] = _check_id(value["version_id"], "source.version_id")
    return source


def _check_resource(value, with_spec_code):
    prefix = "config.model_instance_config.resource"
    _object(value, prefix)
    allowed = ("min", "max", "spec_code") if with_spec_code else ("min", "max")
    _known_fields(value, allowed, prefix + ".")
    minimum = _integer(_required(value, "min", prefix + ".min"), prefix + ".min")
    maximum = _integer(_required(value, "max", prefix + ".max"), prefix + ".max")
    if minimum < 1:
        raise bad_request("%s.min must be greater than or equal to 1" % prefix)
    if maximum < 1 or maximum > MAX_MAX:
        raise bad_request("%s.max must be between 1 and %d" % (prefix, MAX_MAX))
    if minimum > maximum:
        raise bad_request("%s.max must be greater than or equal to min" % prefix)
    resource = {"min": minimum, "max": maximum}
    if with_spec_code:
        spec_code = _string(_required(value, "spec_code", prefix + ".spec_code"), prefix + ".spec_code")
        if not 1 <= len(spec_code) <= SPEC_CODE_MAX:
            raise bad_request("%s.spec_code must be 1 to %d characters" % (prefix, SPEC_CODE_MAX))
        resource["spec_code"] = spec_code
    return resource


def _check_config(value, required, with_spec_code):
    """The resource of config.model_instance_config.resource, or None when absent and optional."""
    _object(value, "config")
    _known_fields(value, ("model_instance_config",), "config.")
    model = value.get("model_instance_config")
    if model is None:
        if required:
            raise bad_request("config.model_instance_config is required")
        return None
    _object(model, "config.model_instance_config")
    _known_fields(model, ("resource",), "config.model_instance_config.")
    resource = _required(model, "resource", "config.model_instance_config.resource")
    return _check_resource(resource, with_spec_code)


# ---------------------------------------------------------------- bodies
def validate_deploy_body(body):
    """Normalized deploy request: name, description, endpoint_id, source, resource."""
    _known_fields(body, ("source", "name", "description", "endpoint_id", "config"), "")
    spec = {
        "source": _check_source(_required(body, "source", "source")),
        "name": _check_name(_required(body, "name", "name")),
        "description": "",
        "endpoint_id": _check_id(_required(body, "endpoint_id", "endpoint_id"), "endpoint_id"),
    }
    if body.get("description") is not None:
        spec["description"] = _check_description(body["description"])
    spec["resource"] = _check_config(_required(body, "config", "config"), required=True, with_spec_code=True)
    return spec


def validate_update_body(body):
    """Normalized update request: only the keys present (null counts as absent)."""
    _known_fields(body, ("source", "name", "description", "config"), "")
    changes = {}
    if body.get("name") is not None:
        changes["name"] = _check_name(body["name"])
    if body.get("description") is not None:
        changes["description"] = _check_description(body["description"])
    if body.get("source") is not None:
        changes["source"] = _check_source(body["source"])
    if body.get("config") is not None:
        resource = _check_config(body["config"], required=False, with_spec_code=False)
        if resource is not None:
            changes["resource"] = resource
    return changes


# ----------------------------------------------------------------- query
def _query_int(value, field, bounds):
    if not re.fullmatch(r"[+-]?[0-9]{1,12}", value):
        raise bad_request("Type mismatch. %s must be an integer." % field, "MethodArgumentTypeMismatchException")
    number = int(value)
    if not bounds[0] <= number <= bounds[1]:
        raise bad_request("%s must be between %d and %d" % (field, bounds[0], bounds[1]), "ConstraintViolationException")
    return number


def _query_choice(value, field, choices):
    if value not in choices:
        raise bad_request("%s must be one of %s" % (field, ", ".join(choices)), "ConstraintViolationException")
    return value


def validate_list_query(query):
    """Normalized List query from parse_qs output (the first value of a repeated parameter wins)."""
    first = {key: values[0] for key, values in query.items() if values}
    result = {
        "limit": 10,
        "offset": 0,
        "sort_by": "CREATE_TIME",
        "order_by": "DESC",
        "name": None,
        "type": None,
        "visibility": None,
    }
    for key in LIST_ID_FILTERS:
        result[key] = None
        if key in first:
            if not ID_RE.fullmatch(first[key]):
                raise bad_request("%s must be %s" % (key, ID_RULE), "ConstraintViolationException")
            result[key] = first[key]
    if "name" in first:
        if not NAME_FILTER_RE.fullmatch(first["name"]):
            raise bad_request("name must be %s" % ID_RULE, "ConstraintViolationException")
        result["name"] = first["name"]
    if "limit" in first:
        result["limit"] = _query_int(first["limit"], "limit", LIMIT_RANGE)
    if "offset" in first:
        result["offset"] = _query_int(first["offset"], "offset", OFFSET_RANGE)
    if "type" in first:
        result["type"] = _query_choice(first["type"], "type", SERVICE_TYPES)
    if "visibility" in first:
        result["visibility"] = _query_choice(first["visibility"], "visibility", VISIBILITIES)
    # An unknown sort key is ignored (the default, CREATE_TIME, applies): the documented type is a plain String
    # with CREATE_TIME as its only value, and the older SDKs' DURATION is still honoured.
    if first.get("sort_by") in SORT_KEYS:
        result["sort_by"] = first["sort_by"]
    if "order_by" in first:
        result["order_by"] = _query_choice(first["order_by"], "order_by", ORDERS)
    return result
