# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Authentication of API requests.

Everything about deciding whether an API request is authenticated lives here, so that AK/SK
signature verification (SDK-HMAC-SHA256) and an IAM token endpoint can be added in one place.
"""

from __future__ import annotations

import hmac

from .errors import unauthorized


class Identity:
    """Who made an authenticated request and how."""

    def __init__(self, method, subject=None):
        self.method = method
        self.subject = subject


class Authenticator:
    """Checks API requests against the current emulator configuration (read at every request)."""

    def __init__(self, state):
        self.state = state

    def authenticate(self, request):
        """Return an Identity, or raise ApiError (401) when the request is not authenticated."""
        tokens = self.state.config.get('tokens')
        if not tokens:
            return Identity('none')
        token = request.header('X-Auth-Token')
        if token is not None:
            for candidate in tokens:
                if hmac.compare_digest(token.encode('utf-8'), candidate.encode('utf-8')):
                    return Identity('token')
        raise unauthorized()
