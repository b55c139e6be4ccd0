# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Credentials shared by the plugin unit tests: random secret values (new in every run, so that a test can only find
one where the code put it), the option sets and auth objects made of them, and the check that a text holds none."""

from __future__ import annotations

import secrets

from ansible_collections.hwcloud.dataarts.plugins.module_utils._auth_methods import AkSkAuth
from ansible_collections.hwcloud.dataarts.tests.unit.plugins.builders import options

TOKEN = "MIIT-" + secrets.token_urlsafe(80)
ACCESS_KEY = "AK" + secrets.token_hex(16).upper()
SECRET_KEY = "SK-" + secrets.token_urlsafe(40)
SECURITY_TOKEN = "ST-" + secrets.token_urlsafe(160)
PASSWORD = "Pw-" + secrets.token_urlsafe(32)
IAM_TOKEN = "MIIE-" + secrets.token_urlsafe(80)
SECRETS = (SECRET_KEY, SECURITY_TOKEN, TOKEN, IAM_TOKEN, PASSWORD)

# An IAM endpoint given explicitly (not derived from a region).
IAM = "https://iam.test"

# The headers that carry a credential.
CREDENTIAL_HEADERS = ("Authorization", "X-Auth-Token", "X-Security-Token")


def named_secrets(text):
    """``text`` with each shared secret replaced by its name: test ids made from it are the same in every process
    (pytest-xdist workers must collect identical ids; the values are new in each)."""
    for name in ("TOKEN", "ACCESS_KEY", "SECRET_KEY", "SECURITY_TOKEN", "PASSWORD", "IAM_TOKEN"):
        text = text.replace(globals()[name], name)
    return text


def password_params(**over):
    """IAM password authentication of user alice in domain acme, scoped by region cn-north-4 (which also names the
    IAM endpoint); ``over`` replaces, adds or (with DROP) leaves out options."""
    return options({"user_name": "alice", "password": PASSWORD, "domain_name": "acme", "region": "cn-north-4"}, **over)


def aksk(**extra):
    """AK/SK authentication with ACCESS_KEY and SECRET_KEY (``extra``: security_token, project_id, ...)."""
    return AkSkAuth(ACCESS_KEY, SECRET_KEY, **extra)


def assert_clean(texts, values=SECRETS, sent=(), middles=False):
    """No secret in ``texts`` (one text or several): none of ``values`` whole, nor with ``middles`` the 12 characters
    from the middle of one (a cut-off copy), nor a credential header value of the ``sent`` requests, nor the
    signature of an Authorization header on its own."""
    for text in [texts] if isinstance(texts, str) else texts:
        for value in values:
            assert value not in text, "secret found in {0!r}".format(text[:400])
            if middles:
                middle = value[len(value) // 2 - 6 : len(value) // 2 + 6]
                assert middle not in text, "part of a secret found in {0!r}".format(text[:400])
        for request in sent:
            for name in CREDENTIAL_HEADERS:
                value = request.headers.get(name)
                if value:
                    assert value not in text, name
                    if name == "Authorization":
                        assert value.rsplit("Signature=", 1)[1] not in text
