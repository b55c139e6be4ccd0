# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTP layer of the emulator: request/response objects, the dispatcher, and the threaded server.

Programmatic use::

    emu = Emulator(seed='fabric_emulator/seed.json', update_seconds=0.2)
    emu.start()
    ... requests against emu.url, assertions on emu.state ...
    emu.stop()
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
import traceback
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .api import FabricApi
from .auth import Authenticator, IamApi
from .control import PREFIX as CONTROL_PREFIX
from .control import ControlApi
from .errors import ApiError, bad_request, default_error_body
from .faults import SIGN_IN_LOCATION, SIGN_IN_PAGE
from .state import State

# Requests to these path prefixes are API requests: logged, subject to faults. '/v3/' is the emulated IAM (auth.py).
API_PREFIXES = ("/v1/", "/v3/")
IAM_PREFIX = "/v3/"
# Bodies of requests to these prefixes are never logged (they carry passwords / secrets).
REDACTED_BODY_PREFIXES = ("/v3/auth/",)
REDACTED = "<redacted>"
MAX_BODY = 16 * 1024 * 1024


def is_api_path(path):
    return path.startswith(API_PREFIXES) or path in ("/v1", "/v3")


class Request:
    """A parsed HTTP request, independent of the server machinery."""

    def __init__(self, method, target, headers, body):
        self.method = method.upper()
        self.target = target
        parts = urllib.parse.urlsplit(target)
        self.path = parts.path or "/"
        self.query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
        self.headers = list(headers)
        self.body = body or b""

    def header(self, name):
        """The first value of a header (case-insensitive), or None."""
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return None

    def header_names(self):
        names = []
        for key, _value in self.headers:
            lowered = key.lower()
            if lowered not in names:
                names.append(lowered)
        return names

    def loggable_body(self):
        """The body for the request log: parsed JSON, raw text, None; never a secret."""
        if not self.body:
            return None
        if self.path.startswith(REDACTED_BODY_PREFIXES):
            return REDACTED
        text = self.body.decode("utf-8", errors="replace")
        try:
            return json.loads(text)
        except ValueError:
            return text


class Response:
    """An answer to send, or a dropped connection (``drop=True``)."""

    def __init__(self, status=200, body=b"", content_type="application/json", headers=None, drop=False):
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = list(headers or [])
        self.drop = drop

    @classmethod
    def json(cls, status, payload, headers=None):
        """A JSON answer; a payload of None is an answer with no body and no Content-Type."""
        if payload is None:
            return cls(status, b"", None, headers)
        return cls(status, json.dumps(payload).encode("utf-8"), "application/json", headers)


class Emulator:
    """The emulator: state + API + control API, optionally served over HTTP in a background thread."""

    def __init__(self, seed=None, host="127.0.0.1", port=0, verbose=False, ssl_context=None, **config):
        self.state = State(seed=seed, config=config)
        # An ssl.SSLContext (server side) serves HTTPS instead of HTTP; the TLS handshake runs in the connection's thread.
        self.ssl_context = ssl_context
        self.host = host
        self.port = port
        self.verbose = verbose
        self.authenticator = Authenticator(self.state)
        self.api = FabricApi(self.state, self.authenticator)
        self.iam = IamApi(self.state, self.authenticator)
        self.control = ControlApi(self.state)
        self._httpd = None
        self._thread = None

    # ------------------------------------------------------------ serving
    @property
    def url(self):
        host = "[%s]" % self.host if ":" in self.host else self.host
        return "%s://%s:%d" % ("https" if self.ssl_context is not None else "http", host, self.port)

    def start(self):
        """Listen and serve in a daemon thread; ``self.port`` becomes the actual port."""
        server_class = _IPv6Server if ":" in self.host else _Server
        httpd = server_class((self.host, self.port), _Handler)
        if self.ssl_context is not None:
            httpd.socket = self.ssl_context.wrap_socket(httpd.socket, server_side=True, do_handshake_on_connect=False)
        httpd.emulator = self
        self.port = httpd.server_address[1]
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, name="fabric-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Stop listening and close every open (keep-alive) connection."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd.close_connections()
            self._thread.join(5)
            self._httpd = None
            self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    # ------------------------------------------- short-hands for Python tests
    def reset(self, seed=None):
        """Like POST /_emulator/reset; seed optionally replaces workspaces/instances for this reset."""
        self.state.reset(seed)

    def configure(self, **values):
        """Like PUT /_emulator/config; returns the new configuration."""
        with self.state.lock:
            return dict(self.state.update_config(values))

    def add_fault(self, **rule):
        """Like POST /_emulator/faults; returns the rule as a dict."""
        with self.state.lock:
            return self.state.faults.add(rule).to_dict()

    def get_instance(self, instance_id):
        """Like GET /_emulator/instances/{id} (lifecycle advanced first); None when there is none."""
        with self.state.lock:
            self.state.advance()
            instance = self.state.instances.get(instance_id)
            return None if instance is None else self.state.internal_view(instance)

    # ----------------------------------------------------------- handling
    def handle(self, request):
        """Answer one request (may sleep for a delay fault). Returns a Response."""
        request_id = uuid.uuid4().hex
        if request.path == SIGN_IN_LOCATION:
            # Where a redirect fault sends a client that follows it: 200 and HTML, as a single sign-on proxy would.
            response = Response(200, SIGN_IN_PAGE.encode("utf-8"), "text/html")
        elif request.path == CONTROL_PREFIX or request.path.startswith(CONTROL_PREFIX + "/"):
            response = self._serve(self.control, request)
        elif is_api_path(request.path):
            response = self._handle_api(request)
        else:
            response = Response.json(404, default_error_body(404))
        response.headers.append(("X-Request-Id", request_id))
        return response

    def _handle_api(self, request):
        with self.state.lock:
            seq = self.state.next_request_seq()
            # The log this request belongs to: a reset or a clear while it is being answered starts a new list,
            # and a late entry must not land in it.
            log = self.state.requests
            fault = self.state.faults.take(request.method, request.path)
        applied_status = None
        target = self.iam if request.path.startswith(IAM_PREFIX) or request.path == "/v3" else self.api
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if fault is not None and fault.alters_response():
            if fault.apply:
                applied_status = self._serve(target, request).status
            if fault.drop:
                response = Response(drop=True)
            else:
                status, content_type, body, headers = fault.render(request.path)
                response = Response(status, body, content_type, headers)
        else:
            response = self._serve(target, request)
        then = None
        if fault is not None and fault.then is not None:
            # Before the client has the answer: its next request already sees the change.
            with self.state.lock:
                then = self.state.perform(fault.then)
        entry = {
            "seq": seq,
            "method": request.method,
            "path": request.path,
            "query": request.query,
            "body": request.loggable_body(),
            "status": None if response.drop else response.status,
            "headers": request.header_names(),
            "fault": fault.describe() if fault is not None else None,
            "time": time.time(),
        }
        if applied_status is not None:
            entry["applied_status"] = applied_status
        if then is not None:
            entry["then"] = then
        with self.state.lock:
            log.append(entry)
        return response

    def _serve(self, target, request):
        try:
            # (status, body) or (status, body, extra headers), e.g. IAM's X-Subject-Token.
            answer = target.handle(request)
            return Response.json(answer[0], answer[1], answer[2] if len(answer) > 2 else None)
        except ApiError as exc:
            return Response.json(exc.status, exc.body, exc.headers)
        except Exception:  # a bug in the emulator: answer like the service would, and say so on stderr
            traceback.print_exc(file=sys.stderr)
            return Response.json(500, default_error_body(500))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    emulator = None

    def __init__(self, *args, **kwargs):
        self._connections = set()
        self._connections_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def process_request(self, request, client_address):
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self):
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request, client_address):
        if self.emulator is not None and self.emulator.verbose:
            super().handle_error(request, client_address)


class _IPv6Server(_Server):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FabricEmulator/1.0"
    timeout = 120  # idle keep-alive connections are closed after this many seconds
    disable_nagle_algorithm = True  # headers and body are separate writes: avoid the 40 ms delayed-ACK stall

    def do_GET(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def do_PUT(self):
        self._dispatch()

    def do_DELETE(self):
        self._dispatch()

    def do_PATCH(self):
        self._dispatch()

    def do_HEAD(self):
        self._dispatch()

    def do_OPTIONS(self):
        self._dispatch()

    def version_string(self):
        return self.server_version

    def log_message(self, format, *args):
        if self.server.emulator.verbose:
            super().log_message(format, *args)

    def _read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            total = 0
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY:
                    raise ValueError("body too large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = self.headers.get("Content-Length")
        if not length:
            return b""
        size = int(length)
        if size < 0 or size > MAX_BODY:
            raise ValueError("bad Content-Length")
        return self.rfile.read(size)

    def _dispatch(self):
        emulator = self.server.emulator
        try:
            body = self._read_body()
        except ValueError:
            self.close_connection = True
            error = bad_request("invalid request body framing.", "HttpMessageNotReadableException")
            response = Response.json(error.status, error.body)
            response.headers.append(("X-Request-Id", uuid.uuid4().hex))
            self._write(response)
            return
        request = Request(self.command, self.path, self.headers.items(), body)
        response = emulator.handle(request)
        if response.drop:
            self.close_connection = True
            return
        self._write(response)

    def _write(self, response):
        self.send_response(response.status)
        if response.content_type is not None:
            self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)
