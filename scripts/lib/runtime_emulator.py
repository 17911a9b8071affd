#!/usr/bin/env python3
"""Lambda Runtime API emulator (plus the synchronous Invoke API) for local tests.

CLI:
    python3 scripts/lib/runtime_emulator.py [--port 0] [--timeout-ms 3000]
        [--function-arn arn:aws:lambda:us-east-1:123456789012:function:order-pipeline]
        [--queue-timeout-ms 10000] [--no-invocation-ids] [--exit-on-stdin-eof] [--verbose]
    Prints one line when ready: {"runtime_api": "127.0.0.1:PORT"}; logs go to stderr.

Runtime API (what a custom runtime's AWS_LAMBDA_RUNTIME_API points at):
    GET  /2018-06-01/runtime/invocation/next          blocks until an invocation is queued; any
         number of runtimes (or workers of one, as on Lambda Managed Instances) may poll at once
    POST /2018-06-01/runtime/invocation/{id}/response  202 {"status":"OK"}
    POST /2018-06-01/runtime/invocation/{id}/error     202 (records Lambda-Runtime-Function-Error-Type + body)
    POST /2018-06-01/runtime/init/error                202 (served to invokes until the next /next)
    Unknown or finished id -> 400 {"errorMessage":..., "errorType":"InvalidRequestID"}.

    As Lambda's Runtime API does in 2026: /next sends Lambda-Runtime-Invocation-Id, a nonce per
    delivery (not with --no-invocation-ids, like an older Runtime API), a trace id with a Lineage
    field (or the invoker's X-Amzn-Trace-Id verbatim), and Lambda-Runtime-Aws-Tenant-Id when the
    invoke named a tenant (X-Amz-Tenant-Id). A result posted after the invocation's deadline, or
    one carrying the invocation id of a delivery that already timed out, gets 410 Gone
    {"errorType":"ErrorRuntimeInvokeTimeout"}; a result whose invocation id matches no delivery
    of that request id gets 400 InvalidInvocationId. Each result's echoed invocation id (or null)
    is recorded in the invocation's state.

Invoke API:
    POST /2015-03-31/functions/{name}/invocations   body = event bytes, passed through unchanged
      X-Amz-Invocation-Type: Event -> 202 at once (DryRun -> 204); otherwise waits for the result.
      X-Amz-Client-Context (base64) -> Lambda-Runtime-Client-Context (decoded).
      X-Amzn-Trace-Id -> Lambda-Runtime-Trace-Id (verbatim); X-Amz-Tenant-Id -> Lambda-Runtime-Aws-Tenant-Id.
      Test-only: X-Emulator-Request-Id (reuse a request id), X-Emulator-Timeout-Ms,
                 X-Emulator-Deadline-Skew-Ms (the Lambda-Runtime-Deadline-Ms the runtime is told is
                 the real deadline plus this: a sandbox clock behind Lambda's, so the runtime
                 believes it has time left and answers after the invoke has timed out -> 410),
                 X-Emulator-Cognito-Identity (-> Lambda-Runtime-Cognito-Identity).
      200 + runtime body; function error -> X-Amz-Function-Error: Unhandled and
      X-Emulator-Error-Type; no answer by deadline + 1 s -> Sandbox.Timedout; never
      picked up within --queue-timeout-ms -> Emulator.QueueTimeout; the runtime's connection
      closing while it holds the invocation (process killed) -> Runtime.ExitError at once.

Inspection:
    GET  /emulator/state   {"init_errors":[...], "invocations":[...], "next_requests":N,
                            "pollers_waiting":N, "max_pollers_waiting":N, "running":N,
                            "max_running":N, "first_next_monotonic":float|null,
                            "connections":N, "open_connections":N, "queued":N}
                           each invocation: request_id, status, error_type, times, deadline_ms,
                           invocation_id, trace_id, tenant_id, results: [{"kind", "invocation_id",
                           "status"}] (every /response or /error posted for it, with our answer)
    POST /emulator/reset   clears invocations, init errors, counters and pending faults
    POST /emulator/faults  {"next": [{"status": 500}, {"action": "reset"}, ...]}: the next
                           GET /next requests, one fault each in order, are answered with that
                           status (a Lambda-style error body) or have their connection reset
                           (RST, no answer); no event is taken from the queue for them

Importable: RuntimeEmulator(host, port, timeout_ms, function_arn).start()/.port/
.invoke(event_bytes, request_id=None, timeout_ms=None) -> (headers_with_status, body)/
.state()/.reset()/.stop().
"""

import argparse
import base64
import collections
import json
import logging
import os
import re
import secrets
import sys
import threading
import time
import urllib.parse
import uuid

try:
    import _httpkit
except ImportError:  # imported from elsewhere: the helper sits next to this file
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import _httpkit
from _httpkit import epoch_ms  # noqa: E402

log = logging.getLogger("runtime_emulator")

DEFAULT_ARN = "arn:aws:lambda:us-east-1:123456789012:function:order-pipeline"
GRACE_MS = 1000          # a sync invoke waits deadline + this before answering Sandbox.Timedout
HISTORY = 10000          # invocations kept for /emulator/state

NEXT_RE = re.compile(r"^/2018-06-01/runtime/invocation/next$")
RESULT_RE = re.compile(r"^/2018-06-01/runtime/invocation/([^/]+)/(response|error)$")
INIT_ERROR_PATH = "/2018-06-01/runtime/init/error"
INVOKE_RE = re.compile(r"^/2015-03-31/functions/([^/]+)/invocations$")


def _json_or_text(body):
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace")


class Invocation:
    def __init__(self, request_id, event, timeout_ms, client_context, cognito, is_async, lock,
                 trace_id=None, tenant_id=None, deadline_skew_ms=0):
        self.request_id = request_id
        self.deadline_skew_ms = deadline_skew_ms   # added to the deadline the runtime is told
        self.trace_id = trace_id    # the invoker's, else made at delivery
        self.tenant_id = tenant_id
        self.invocation_id = None   # the nonce of its (latest) delivery
        self.results = []           # every result posted for it: kind, echoed id, our status
        self.event = event
        self.timeout_ms = timeout_ms
        self.client_context = client_context
        self.cognito_identity = cognito
        self.is_async = is_async
        self.status = "queued"
        self.error_type = None
        self.body = b""             # the runtime's response or error body
        self.queued_at_ms = epoch_ms()
        self.delivered_at_ms = None
        self.finished_at_ms = None
        self.deadline_ms = None
        self.cond = threading.Condition(lock)   # shares the emulator's lock

    def to_state(self):
        d = {"request_id": self.request_id, "status": self.status, "error_type": self.error_type,
             "queued_at_ms": self.queued_at_ms, "delivered_at_ms": self.delivered_at_ms,
             "finished_at_ms": self.finished_at_ms, "deadline_ms": self.deadline_ms,
             "async": self.is_async, "invocation_id": self.invocation_id,
             "trace_id": self.trace_id, "tenant_id": self.tenant_id, "results": list(self.results)}
        if self.status in ("failed", "timed_out"):
            d["error_body"] = _json_or_text(self.body)
        return d


class Poller:
    """One runtime connection blocked in GET /next."""

    def __init__(self, handler):
        self.handler = handler
        self.event = threading.Event()
        self.invocation = None      # set when an invocation is handed to it
        self.dropped = False        # set when its peer turned out to be gone


class RuntimeEmulator:
    def __init__(self, host="127.0.0.1", port=0, timeout_ms=3000, function_arn=DEFAULT_ARN,
                 queue_timeout_ms=10000, invocation_ids=True):
        self.host, self.port = host, port
        self.invocation_ids = invocation_ids
        self.timeout_ms = timeout_ms
        self.function_arn = function_arn
        self.queue_timeout_ms = queue_timeout_ms
        self._lock = threading.Lock()
        self._server = None
        self._stopping = False
        self._clear_locked()
        self._pollers = collections.deque()   # survives reset: they are live runtimes

    def _clear_locked(self):
        self._queue = collections.deque()      # Invocations not yet delivered, FIFO
        self._running = {}                     # request_id -> [Invocation] delivered, unanswered
        self._history = collections.deque(maxlen=HISTORY)
        self._init_errors = []
        self._pending_init_error = None        # (error_type, body) until the next /next
        self.next_requests = 0
        self.first_next_monotonic = None
        self.max_pollers_waiting = 0
        self.max_running = 0
        self._next_faults = collections.deque()   # injected: what the coming /next requests get
        self.faults_applied = 0

    # --- life cycle --------------------------------------------------------
    def start(self):
        self._server = _httpkit.Server((self.host, self.port), _Handler, owner=self)
        self.port = self._server.server_address[1]
        self._server.serve_in_thread("runtime-emulator")
        log.info("Runtime API listening on %s:%d", self.host, self.port)
        return self

    def stop(self):
        with self._lock:
            self._stopping = True
            self._abandon_all_locked("Emulator.Stopped")
            for p in self._pollers:
                p.dropped = True
                p.event.set()
            self._pollers.clear()
        if self._server:
            self._server.stop()

    @property
    def runtime_api(self):
        return "%s:%d" % (self.host, self.port)

    def reset(self):
        with self._lock:
            self._abandon_all_locked("Emulator.Reset")
            self._clear_locked()
            if self._server:
                with self._server.counter_lock:
                    self._server.connections_accepted = 0

    def _abandon_all_locked(self, error_type):
        # Wake every waiting invoke so no caller hangs on a cleared emulator.
        for inv in list(self._queue) + [i for lst in self._running.values() for i in lst]:
            self._finish_locked(inv, "failed", error_type,
                                json.dumps({"errorType": error_type,
                                            "errorMessage": "invocation abandoned"}).encode())
        self._queue.clear()
        self._running.clear()

    # --- state -------------------------------------------------------------
    def state(self):
        with self._lock:
            self._expire_all_locked()
            srv = self._server
            return {
                "init_errors": list(self._init_errors),
                "invocations": [inv.to_state() for inv in self._history],
                "next_requests": self.next_requests,
                "pollers_waiting": len(self._pollers),
                "max_pollers_waiting": self.max_pollers_waiting,
                "running": sum(len(lst) for lst in self._running.values()),
                "max_running": self.max_running,
                "first_next_monotonic": self.first_next_monotonic,
                "connections": srv.connections_accepted if srv else 0,
                "open_connections": srv.open_connections if srv else 0,
                "queued": len(self._queue),
                "next_faults_pending": len(self._next_faults),
                "next_faults_applied": self.faults_applied,
            }

    def add_next_faults(self, faults):
        for fault in faults:
            if not (isinstance(fault, dict) and (isinstance(fault.get("status"), int)
                                                 or fault.get("action") == "reset")):
                raise ValueError("a /next fault is {\"status\": N} or {\"action\": \"reset\"}, not %r" % (fault,))
        with self._lock:
            self._next_faults.extend(faults)

    # --- invocations -------------------------------------------------------
    def invoke(self, event_bytes, request_id=None, timeout_ms=None, invocation_type="RequestResponse",
               client_context=None, cognito_identity=None, trace_id=None, tenant_id=None, deadline_skew_ms=0):
        """In-process invoke. Returns ({"status": int, header: value...}, body_bytes)."""
        status, headers, body = self._invoke(event_bytes, request_id, timeout_ms, invocation_type,
                                             client_context, cognito_identity, trace_id, tenant_id,
                                             deadline_skew_ms)
        return dict(headers, status=status), body

    def _invoke(self, event, request_id, timeout_ms, invocation_type, client_context, cognito,
                trace_id=None, tenant_id=None, deadline_skew_ms=0):
        request_id = request_id or str(uuid.uuid4())
        base = {"X-Amz-Request-Id": request_id}
        if invocation_type == "DryRun":
            return 204, base, b""
        is_async = invocation_type == "Event"
        with self._lock:
            inv = Invocation(request_id, event, int(timeout_ms or self.timeout_ms),
                             client_context, cognito, is_async, self._lock, trace_id, tenant_id,
                             deadline_skew_ms)
            self._history.append(inv)
            if self._pending_init_error is not None:
                # Lambda serves an init error to the invokes that hit the failed sandbox.
                error_type, body = self._pending_init_error
                self._finish_locked(inv, "failed", error_type, body)
            else:
                self._queue.append(inv)
                self._dispatch_locked()
            if is_async:
                return 202, base, b""
            self._wait_locked(inv)
            return self._result_locked(inv)

    def _wait_locked(self, inv):
        queue_until = time.monotonic() + self.queue_timeout_ms / 1000.0
        while inv.status in ("queued", "running"):
            if inv.status == "queued":
                remaining = queue_until - time.monotonic()
                if remaining <= 0:
                    self._queue.remove(inv)
                    msg = "%s was not picked up by a runtime within %.2f seconds" % (
                        inv.request_id, self.queue_timeout_ms / 1000.0)
                    self._finish_locked(inv, "timed_out", "Emulator.QueueTimeout", json.dumps(
                        {"errorType": "Emulator.QueueTimeout", "errorMessage": msg}).encode())
                    break
            else:
                remaining = (inv.deadline_ms + GRACE_MS - epoch_ms()) / 1000.0
                if remaining <= 0:
                    self._expire_locked(inv)
                    break
            inv.cond.wait(remaining)

    def _result_locked(self, inv):
        headers = {"X-Amz-Request-Id": inv.request_id, "X-Amz-Executed-Version": "$LATEST",
                   "Content-Type": "application/json"}
        if inv.status != "succeeded":
            headers["X-Amz-Function-Error"] = "Unhandled"
            if inv.error_type:
                headers["X-Emulator-Error-Type"] = inv.error_type
        return 200, headers, inv.body

    def _finish_locked(self, inv, status, error_type=None, body=b""):
        inv.status, inv.error_type, inv.body = status, error_type, body
        inv.finished_at_ms = epoch_ms()
        lst = self._running.get(inv.request_id)
        if lst and inv in lst:
            lst.remove(inv)
            if not lst:
                del self._running[inv.request_id]
        inv.cond.notify_all()

    def _expire_locked(self, inv):
        msg = "%s Task timed out after %.2f seconds" % (inv.request_id, inv.timeout_ms / 1000.0)
        self._finish_locked(inv, "timed_out", "Sandbox.Timedout", json.dumps(
            {"errorType": "Sandbox.Timedout", "errorMessage": msg}).encode())

    def _expire_all_locked(self):
        # Timeouts are applied lazily: by the waiting invoke, on a late result, or here.
        now = epoch_ms()
        for inv in [i for lst in self._running.values() for i in lst]:
            if now > inv.deadline_ms + GRACE_MS:
                self._expire_locked(inv)

    def _dispatch_locked(self):
        """Hand queued invocations to waiting pollers whose connection is still open."""
        while self._queue and self._pollers:
            poller = self._pollers.popleft()
            if not poller.handler.peer_alive():
                log.info("dropping a /next poller whose connection is gone")
                poller.dropped = True
                poller.event.set()
                continue
            inv = self._queue.popleft()
            inv.status = "running"
            inv.delivered_at_ms = epoch_ms()
            inv.deadline_ms = inv.delivered_at_ms + inv.timeout_ms
            if self.invocation_ids:
                inv.invocation_id = str(uuid.uuid4())
            if inv.trace_id is None:
                # The X-Ray header as Lambda sends it, with the Lineage field its recursive-loop
                # detection counts (hash of the function:hops).
                inv.trace_id = "Root=1-%08x-%s;Parent=%s;Sampled=0;Lineage=1:%s:0" % (
                    int(time.time()), secrets.token_hex(12), secrets.token_hex(8), secrets.token_hex(4))
            self._running.setdefault(inv.request_id, []).append(inv)
            self.max_running = max(self.max_running, sum(len(lst) for lst in self._running.values()))
            inv.cond.notify_all()
            poller.invocation = inv
            poller.event.set()

    def _requeue_locked(self, inv):
        # The runtime vanished while we wrote /next: give the event to someone else.
        if inv.status == "running":
            self._running[inv.request_id].remove(inv)
            if not self._running[inv.request_id]:
                del self._running[inv.request_id]
            inv.status, inv.delivered_at_ms, inv.deadline_ms = "queued", None, None
            self._queue.appendleft(inv)
            self._dispatch_locked()

    def _match_result_locked(self, request_id, invocation_id):
        """(invocation, status, error) for a posted result: 202 for a live delivery, 410 when it
        already timed out (Lambda's ErrorRuntimeInvokeTimeout), 400 when nothing matches."""
        now = epoch_ms()
        running = list(self._running.get(request_id, []))
        if invocation_id is not None:
            running = [inv for inv in running if inv.invocation_id == invocation_id]
        for inv in running:
            if now > inv.deadline_ms:
                self._expire_locked(inv)
                return inv, 410, None
            return inv, 202, None
        # Not running: a delivery of this request id (with this invocation id) that timed out?
        for inv in reversed(self._history):
            if inv.request_id != request_id or inv.deadline_ms is None:
                continue
            if invocation_id is not None and inv.invocation_id != invocation_id:
                continue
            if inv.status == "timed_out" or (inv.status == "running" and now > inv.deadline_ms):
                return inv, 410, None
            break
        if invocation_id is not None:
            return None, 400, "InvalidInvocationId"
        return None, 400, "InvalidRequestID"


class _Handler(_httpkit.Handler):
    server_version = "runtime-emulator"

    def handle_request(self):
        emu = self.server.owner
        path = urllib.parse.urlsplit(self.path).path
        if NEXT_RE.match(path) and self.command == "GET":
            return self._next(emu)
        m = RESULT_RE.match(path)
        if m and self.command == "POST":
            return self._result(emu, urllib.parse.unquote(m.group(1)), m.group(2))
        if path == INIT_ERROR_PATH and self.command == "POST":
            return self._init_error(emu)
        if INVOKE_RE.match(path) and self.command == "POST":
            return self._invoke(emu)
        if path == "/emulator/state" and self.command == "GET":
            return self.reply_json(200, emu.state())
        if path == "/emulator/reset" and self.command == "POST":
            self.read_body()
            emu.reset()
            return self.reply_json(200, {"status": "OK"})
        if path == "/emulator/faults" and self.command == "POST":
            try:
                emu.add_next_faults(self.read_json().get("next", []))
            except ValueError as error:
                return self.reply_json(400, {"errorType": "InvalidFault", "errorMessage": str(error)})
            return self.reply_json(200, {"status": "OK"})
        self.read_body()
        self.reply_json(404, {"errorType": "NotFound",
                              "errorMessage": "%s %s is not served here" % (self.command, path)})

    def _next(self, emu):
        poller = Poller(self)
        with emu._lock:
            emu.next_requests += 1
            if emu.first_next_monotonic is None:
                emu.first_next_monotonic = time.monotonic()
            fault = emu._next_faults.popleft() if emu._next_faults else None
            if fault is not None:
                emu.faults_applied += 1
        if fault is not None:
            log.info("/next fault injected: %s", fault)
            if fault.get("action") == "reset":
                return self.abort()
            return self.reply_json(fault["status"], {"errorType": "ServiceException",
                                                     "errorMessage": "injected /next fault"})
        with emu._lock:
            emu._pending_init_error = None      # a runtime that polls has initialised
            emu._pollers.append(poller)
            emu.max_pollers_waiting = max(emu.max_pollers_waiting, len(emu._pollers))
            emu._dispatch_locked()
        # No timeout on /next (as in Lambda), but notice a runtime that went away.
        while not poller.event.wait(1.0):
            with emu._lock:
                if not poller.event.is_set() and (emu._stopping or not self.peer_alive()):
                    if poller in emu._pollers:
                        emu._pollers.remove(poller)
                    poller.dropped = True
                    break
        inv = poller.invocation
        if poller.dropped or inv is None:
            self.close_connection = True
            return
        headers = {"Lambda-Runtime-Aws-Request-Id": inv.request_id,
                   "Lambda-Runtime-Deadline-Ms": str(inv.deadline_ms + inv.deadline_skew_ms),
                   "Lambda-Runtime-Invoked-Function-Arn": emu.function_arn,
                   "Lambda-Runtime-Trace-Id": inv.trace_id}
        if inv.invocation_id is not None:
            headers["Lambda-Runtime-Invocation-Id"] = inv.invocation_id
        if inv.tenant_id is not None:
            headers["Lambda-Runtime-Aws-Tenant-Id"] = inv.tenant_id
        if inv.client_context is not None:
            headers["Lambda-Runtime-Client-Context"] = inv.client_context
        if inv.cognito_identity is not None:
            headers["Lambda-Runtime-Cognito-Identity"] = inv.cognito_identity
        try:
            self.reply(200, inv.event, headers)
        except OSError:
            with emu._lock:
                emu._requeue_locked(inv)
            raise
        self._delivered = inv   # watched in finish(): a runtime that dies mid-invocation

    def finish(self):
        super().finish()
        # The connection that carried an invocation closed before its result came: the runtime
        # process died (kill -9, crash). Lambda reports that at once as Runtime.ExitError.
        inv = getattr(self, "_delivered", None)
        if inv is None:
            return
        emu = self.server.owner
        with emu._lock:
            if inv.status == "running":
                message = "RequestId: %s Error: Runtime exited without providing a reason" % inv.request_id
                emu._finish_locked(inv, "failed", "Runtime.ExitError", json.dumps(
                    {"errorType": "Runtime.ExitError", "errorMessage": message}).encode())
                log.info("runtime connection closed during %s: Runtime.ExitError", inv.request_id)

    def _result(self, emu, request_id, kind):
        body = self.read_body()
        error_type = self.headers.get("Lambda-Runtime-Function-Error-Type")
        invocation_id = self.headers.get("Lambda-Runtime-Invocation-Id")
        with emu._lock:
            inv, status, error = emu._match_result_locked(request_id, invocation_id)
            if inv is not None:
                inv.results.append({"kind": kind, "invocation_id": invocation_id, "status": status})
            if status == 202:
                if kind == "response":
                    emu._finish_locked(inv, "succeeded", None, body)
                else:
                    emu._finish_locked(inv, "failed", error_type, body)
        if status == 410:
            return self.reply_json(410, {"errorType": "ErrorRuntimeInvokeTimeout",
                                         "errorMessage": "Invoke timeout: %s" % request_id})
        if status == 400:
            return self.reply_json(400, {"errorMessage": "Invalid request ID: %s" % request_id
                                         if error == "InvalidRequestID" else
                                         "Invalid invocation ID for request %s: %s" % (request_id, invocation_id),
                                         "errorType": error})
        self.reply_json(202, {"status": "OK"})

    def _init_error(self, emu):
        body = self.read_body()
        error_type = self.headers.get("Lambda-Runtime-Function-Error-Type")
        with emu._lock:
            emu._init_errors.append({"error_type": error_type, "body": _json_or_text(body),
                                     "received_at_ms": epoch_ms()})
            emu._pending_init_error = (error_type, body)
        log.info("init error reported: %s", error_type)
        self.reply_json(202, {"status": "OK"})

    def _invoke(self, emu):
        event = self.read_body()
        h = self.headers
        client_context = h.get("X-Amz-Client-Context")
        if client_context is not None:
            try:
                client_context = base64.b64decode(client_context, validate=True).decode("utf-8")
            except ValueError:
                log.warning("X-Amz-Client-Context is not base64; passing it on as is")
        timeout = h.get("X-Emulator-Timeout-Ms")
        if timeout is not None and not timeout.isdigit():
            return self.reply_json(400, {"errorType": "InvalidParameterValueException",
                                         "errorMessage": "X-Emulator-Timeout-Ms must be an integer"})
        skew = h.get("X-Emulator-Deadline-Skew-Ms", "0")
        if not skew.isdigit():
            return self.reply_json(400, {"errorType": "InvalidParameterValueException",
                                         "errorMessage": "X-Emulator-Deadline-Skew-Ms must be a whole number"})
        status, headers, body = emu._invoke(
            event, h.get("X-Emulator-Request-Id"), int(timeout) if timeout else None,
            h.get("X-Amz-Invocation-Type", "RequestResponse"), client_context,
            h.get("X-Emulator-Cognito-Identity"), h.get("X-Amzn-Trace-Id"), h.get("X-Amz-Tenant-Id"),
            int(skew))
        self.reply(status, body, headers)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Lambda Runtime API emulator")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--timeout-ms", type=int, default=3000, help="default deadline per invocation")
    ap.add_argument("--function-arn", default=DEFAULT_ARN)
    ap.add_argument("--queue-timeout-ms", type=int, default=10000,
                    help="how long a sync invoke waits for a runtime to pick it up")
    ap.add_argument("--no-invocation-ids", action="store_true",
                    help="send no Lambda-Runtime-Invocation-Id, as Runtime APIs before 2026")
    ap.add_argument("--exit-on-stdin-eof", action="store_true")
    ap.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = ap.parse_args(argv)
    emu = RuntimeEmulator(args.host, args.port, args.timeout_ms, args.function_arn,
                          args.queue_timeout_ms, invocation_ids=not args.no_invocation_ids)
    _httpkit.serve_cli(emu, lambda: {"runtime_api": emu.runtime_api},
                       args.exit_on_stdin_eof, args.verbose, "runtime_emulator")


if __name__ == "__main__":
    main()
