#!/usr/bin/env python3
"""Fault-injecting HTTP/1.1 reverse proxy for tests of retries, crashes and connection reuse.

Sits between the function and moto (local_stack.py). Clients get keep-alive
connections; every request goes upstream on a NEW connection (moto closes after
each answer), with method, path+query, headers (Host included, so SigV4
signatures still verify) and body unchanged. The upstream answer is re-framed
with Content-Length and Connection: keep-alive and returned in one write.

CLI:
    python3 scripts/lib/fault_proxy.py --upstream 127.0.0.1:PORT [--port 0] [--admin-port 0]
        [--exit-on-stdin-eof] [--verbose]
    Ready line: {"proxy": "127.0.0.1:P", "admin": "http://127.0.0.1:A"}

Requests are classified as service "dynamodb" + the X-Amz-Target operation
(PutItem, UpdateItem, ...), else "s3" with PutObject (PUT /bucket/key),
GetObject (GET /bucket/key) or <Method>Other (PutOther, HeadOther, ...).

Admin API (JSON):
    POST /rules    {"rules":[rule, ...]} (or one rule) -> appended; answers {"rules":[...]}
                   rule = {"match":{"service":..,"operation":..,"method":..,"path_prefix":..},
                           "action":"respond|reset|drop_after_forward|delay|hold",
                           "times":1 (-1 = forever), "skip":0,
                           "status":503,"headers":{},"body":"..."   (respond)
                           "delay_ms":N (delay), "hold_timeout_ms":30000 (hold)}
                   The first matching rule with times left applies. While its skip > 0,
                   a matching request is instead passed through untouched (skip -= 1).
    GET  /rules    {"rules":[...]} with the remaining times/skip;  DELETE /rules clears them
    GET  /log[?since=ID]  [{"id","connection","service","operation","method","path","headers",
                   "action","status","started_ms","finished_ms","abandoned","upstream_status",
                   "body","body_size"}]   status = what the client got (null if nothing)
    GET  /held     [ids]          POST /release  {"id":N} or empty = all -> {"released":[ids]}
    GET  /stats    {"connections_accepted":N,"requests":M,"open_connections":K}
    POST /reset    clears rules, log, counters and client tokens; releases holds
    GET  /client-tokens          {"tokens":[{"token","state","age_ms"}]}
    POST /client-tokens/expire   forgets every completed token, as if DynamoDB's 10-minute
                                 window had passed -> {"expired":[tokens]}

DynamoDB's ClientRequestToken, which moto ignores, is given its AWS meaning here, where a
TransactWriteItems is about to reach moto (so fault rules in front of it still apply first):
the same token with the same parameters within 10 minutes of the first success is answered
with that first answer and applies nothing (log action "idempotent_replay"); the same token
with other parameters is IdempotentParameterMismatchException, and while the first request is
still in flight TransactionInProgressException (log action "idempotent_refused"). A
transaction that failed is not remembered: its retry runs again, as on DynamoDB.

moto runs a TransactWriteItems as a series of single writes on a snapshot it restores on
cancellation, with no lock: a write from another thread in between is lost or half-seen.
DynamoDB isolates transactions (serializable against other writes to their items), so the
proxy forwards a TransactWriteItems alone — no other DynamoDB request reaches moto while one
runs — and every other request as before, concurrently.

Importable: FaultProxy(upstream_host, upstream_port, port=0, admin_port=0) with
start()/stop()/add_rule()/rules()/log()/held()/release()/stats()/reset().
"""

import argparse
import collections
import http.client
import json
import logging
import os
import re
import socket
import sys
import threading
import time
import urllib.parse

try:
    import _httpkit
except ImportError:  # imported from elsewhere: the helper sits next to this file
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import _httpkit
from _httpkit import epoch_ms  # noqa: E402

log = logging.getLogger("fault_proxy")

ACTIONS = ("respond", "reset", "drop_after_forward", "delay", "hold")
UPSTREAM_TIMEOUT_S = 60
LOG_LIMIT = 10000
BODY_LOG_LIMIT = 16384
HOP_BY_HOP = ("connection", "keep-alive", "transfer-encoding", "proxy-connection")
CLIENT_TOKEN_WINDOW_S = 600     # DynamoDB honours a ClientRequestToken for 10 minutes
SCOPE_RE = re.compile(r"Credential=[^/,\s]+/\d{8}/[^/,\s]+/([^/,\s]+)/")


def classify(method, path, headers):
    """(service, operation) of an AWS request, as the rules match it."""
    target = headers.get("X-Amz-Target", "")
    if target.startswith("DynamoDB_"):
        return "dynamodb", target.split(".", 1)[-1]
    scope = SCOPE_RE.search(headers.get("Authorization", ""))
    if scope and scope.group(1) not in ("s3", "dynamodb"):
        return scope.group(1), target.split(".")[-1] if target else method.capitalize() + "Other"
    bucket_and_key = urllib.parse.urlsplit(path).path.lstrip("/").split("/", 1)
    if len(bucket_and_key) == 2 and bucket_and_key[1]:
        if method == "PUT":
            return "s3", "PutObject"
        if method == "GET":
            return "s3", "GetObject"
    return "s3", method.capitalize() + "Other"


def _normalize_rule(rule):
    if not isinstance(rule, dict) or rule.get("action") not in ACTIONS:
        raise ValueError("a rule needs \"action\" in %s: %r" % (ACTIONS, rule))
    r = dict(rule)
    r["match"] = dict(r.get("match") or {})
    r["times"] = int(r.get("times", 1))
    r["skip"] = int(r.get("skip", 0))
    r["applied"] = 0
    return r


class FaultProxy:
    def __init__(self, upstream_host, upstream_port, port=0, admin_port=0, host="127.0.0.1"):
        self.upstream = (upstream_host, int(upstream_port))
        self.host, self.port, self.admin_port = host, port, admin_port
        self._lock = threading.Lock()
        self._isolation = _SharedExclusiveLock()   # TransactWriteItems exclusive, other DynamoDB shared
        self._proxy = self._admin = None
        self._clear_locked()

    def _clear_locked(self):
        self._rules = []
        self._log = collections.deque(maxlen=LOG_LIMIT)
        self._held = {}                 # entry id -> threading.Event
        self._next_id = 1
        self._next_conn = 1
        self._requests = 0
        self._tokens = {}               # ClientRequestToken -> {"params", "state", "answer", "done_at"}

    # --- life cycle --------------------------------------------------------
    def start(self):
        self._proxy = _httpkit.Server((self.host, self.port), _ProxyHandler, owner=self)
        self._admin = _httpkit.Server((self.host, self.admin_port), _AdminHandler, owner=self)
        self.port = self._proxy.server_address[1]
        self.admin_port = self._admin.server_address[1]
        self._proxy.serve_in_thread("fault-proxy")
        self._admin.serve_in_thread("fault-proxy-admin")
        log.info("proxy on %s:%d -> %s:%d, admin on %d", self.host, self.port,
                 self.upstream[0], self.upstream[1], self.admin_port)
        return self

    def stop(self):
        self.release()
        for srv in (self._proxy, self._admin):
            if srv:
                srv.stop()

    def ready_info(self):
        return {"proxy": "%s:%d" % (self.host, self.port),
                "admin": "http://%s:%d" % (self.host, self.admin_port)}

    # --- admin operations --------------------------------------------------
    def add_rule(self, rule=None, **kw):
        return self.add_rules([dict(rule or {}, **kw)])

    def add_rules(self, rules):
        normalized = [_normalize_rule(r) for r in rules]
        with self._lock:
            self._rules.extend(normalized)
            return [dict(r) for r in self._rules]

    def rules(self):
        with self._lock:
            return [dict(r) for r in self._rules]

    def clear_rules(self):
        with self._lock:
            self._rules = []

    def log(self, since=0):
        with self._lock:
            return [dict(e) for e in self._log if e["id"] > since]

    def held(self):
        with self._lock:
            return sorted(self._held)

    def release(self, entry_id=None):
        with self._lock:
            ids = sorted(self._held) if entry_id is None else (
                [entry_id] if entry_id in self._held else [])
            for i in ids:
                self._held[i].set()
            return ids

    def stats(self):
        srv = self._proxy
        with self._lock:
            return {"connections_accepted": srv.connections_accepted if srv else 0,
                    "requests": self._requests,
                    "open_connections": srv.open_connections if srv else 0}

    def reset(self):
        self.release()
        with self._lock:
            self._clear_locked()
        if self._proxy:
            with self._proxy.counter_lock:
                self._proxy.connections_accepted = 0

    def client_tokens(self):
        now = time.monotonic()
        with self._lock:
            return [{"token": t, "state": v["state"],
                     "age_ms": int((now - v["done_at"]) * 1000) if v["done_at"] else None}
                    for t, v in self._tokens.items()]

    def expire_client_tokens(self):
        with self._lock:
            done = [t for t, v in self._tokens.items() if v["state"] == "done"]
            for t in done:
                del self._tokens[t]
            return done

    # --- DynamoDB's ClientRequestToken --------------------------------------
    def _token_begin(self, token, params):
        """None to go ahead (the token is now in flight), or the answer DynamoDB would give."""
        now = time.monotonic()
        with self._lock:
            known = self._tokens.get(token)
            if known and known["state"] == "done" and now - known["done_at"] > CLIENT_TOKEN_WINDOW_S:
                del self._tokens[token]
                known = None
            if known is None:
                self._tokens[token] = {"params": params, "state": "in_flight", "answer": None, "done_at": None}
                return None
            if known["params"] != params:
                return "idempotent_refused", _dynamodb_error(
                    "IdempotentParameterMismatchException",
                    "The request uses the same client token as a previous, but non-identical request.")
            if known["state"] == "in_flight":
                return "idempotent_refused", _dynamodb_error(
                    "TransactionInProgressException",
                    "The transaction with the given request token is already in progress.")
            return "idempotent_replay", known["answer"]

    def _token_end(self, token, answer):
        with self._lock:
            if answer[0] == 200:
                self._tokens[token].update(state="done", answer=answer, done_at=time.monotonic())
            else:
                self._tokens.pop(token, None)   # failed transactions are not remembered

    # --- used by the proxy handler -----------------------------------------
    def _new_connection_id(self):
        with self._lock:
            n, self._next_conn = self._next_conn, self._next_conn + 1
            return n

    def _begin(self, conn_id, method, path, headers, body):
        """Log the request and pick the rule that applies to it (or None)."""
        service, operation = classify(method, path, headers)
        hdrs = {}
        for k, v in headers.items():
            hdrs[k] = hdrs[k] + ", " + v if k in hdrs else v
        with self._lock:
            self._requests += 1
            entry = {"id": self._next_id, "connection": conn_id, "service": service,
                     "operation": operation, "method": method, "path": path, "headers": hdrs,
                     "action": "forward", "status": None, "upstream_status": None,
                     "started_ms": epoch_ms(), "finished_ms": None, "abandoned": False,
                     "body": body[:BODY_LOG_LIMIT].decode("utf-8", "replace"),
                     "body_size": len(body)}
            self._next_id += 1
            self._log.append(entry)
            rule = self._match_locked(service, operation, method, path)
            if rule is not None:
                entry["action"] = rule["action"]
            return entry, rule

    def _match_locked(self, service, operation, method, path):
        for r in self._rules:
            if r["times"] == 0:
                continue
            m = r["match"]
            if m.get("service") and m["service"].lower() != service:
                continue
            if m.get("operation") and m["operation"] != operation:
                continue
            if m.get("method") and m["method"].upper() != method:
                continue
            if m.get("path_prefix") and not path.startswith(m["path_prefix"]):
                continue
            if r["skip"] > 0:
                r["skip"] -= 1
                return None
            if r["times"] > 0:
                r["times"] -= 1
            r["applied"] += 1
            return dict(r)
        return None

    def _update(self, entry, **fields):
        with self._lock:
            entry.update(fields)


class _ProxyHandler(_httpkit.Handler):
    server_version = "fault-proxy"

    def setup(self):
        super().setup()
        self.conn_id = self.server.owner._new_connection_id()

    def handle_request(self):
        px = self.server.owner
        body = self.read_body()
        entry, rule = px._begin(self.conn_id, self.command, self.path, self.headers, body)
        action = rule["action"] if rule else "forward"
        log.debug("#%d conn %d %s %s %s.%s -> %s", entry["id"], self.conn_id, self.command,
                  self.path, entry["service"], entry["operation"], action)
        # The log entry is completed BEFORE the client sees the outcome, so a test
        # that reads /log right after its call always finds the final status.
        try:
            if action == "respond":
                self._send(entry, *self._canned(rule))
            elif action == "reset":
                px._update(entry, finished_ms=epoch_ms())
                self.abort()
            elif action == "drop_after_forward":
                upstream = self._forward_as_dynamodb(entry, body)
                px._update(entry, upstream_status=upstream[0], finished_ms=epoch_ms())
                self.abort()
            elif action == "hold" and not self._hold(px, entry, rule):
                px._update(entry, abandoned=True, finished_ms=epoch_ms())
                log.info("#%d abandoned: the client went away while it was held", entry["id"])
                self.close_connection = True
            else:
                if action == "delay":
                    time.sleep(float(rule.get("delay_ms", 0)) / 1000.0)
                upstream = self._forward_as_dynamodb(entry, body)
                self._send(entry, *upstream, upstream_status=upstream[0])
        finally:
            if entry["finished_ms"] is None:     # the client went away while we wrote
                px._update(entry, finished_ms=epoch_ms())

    def _send(self, entry, status, reason, headers, data, **fields):
        # HEAD/204/304 carry no body: keep upstream's Content-Length as it is.
        keep_length = self.command == "HEAD" or status in (204, 304)
        out = [(k, v) for k, v in headers if k.lower() not in HOP_BY_HOP
               and (keep_length or k.lower() != "content-length")]
        self.server.owner._update(entry, status=status, finished_ms=epoch_ms(), **fields)
        self.reply(status, data, out, content_type=None, reason=reason)

    def _hold(self, px, entry, rule):
        """Wait for /release or the hold timeout; False if the client left meanwhile."""
        released = threading.Event()
        with px._lock:
            px._held[entry["id"]] = released
        until = time.monotonic() + float(rule.get("hold_timeout_ms", 30000)) / 1000.0
        try:
            while not released.wait(0.02):
                if not self.peer_alive():
                    return False
                if time.monotonic() >= until:
                    break
        finally:
            with px._lock:
                px._held.pop(entry["id"], None)
        return self.peer_alive()

    @staticmethod
    def _canned(rule):
        """(status, reason, headers, body) of a `respond` rule."""
        status = int(rule.get("status", 500))
        body = rule.get("body", "").encode("utf-8")
        headers = list((rule.get("headers") or {}).items())
        if body and not any(k.lower() == "content-type" for k, _ in headers):
            headers.append(("Content-Type", "application/xml" if body.lstrip().startswith(b"<")
                            else "application/x-amz-json-1.0"))
        return status, None, headers, body

    def _forward_as_dynamodb(self, entry, body):
        """_forward, with DynamoDB's ClientRequestToken semantics and isolation for TransactWriteItems."""
        px = self.server.owner
        if entry["service"] != "dynamodb":
            return self._forward(body)
        if entry["operation"] != "TransactWriteItems":
            with px._isolation.shared():
                return self._forward(body)
        return self._forward_transaction(entry, body)

    def _forward_isolated(self, body):
        """A TransactWriteItems reaches moto alone (see the module doc)."""
        with self.server.owner._isolation.exclusive():
            return self._forward(body)

    def _forward_transaction(self, entry, body):
        px = self.server.owner
        try:
            request = json.loads(body)
        except ValueError:
            return self._forward_isolated(body)
        token = request.pop("ClientRequestToken", None) if isinstance(request, dict) else None
        if token is None:
            return self._forward_isolated(body)
        params = json.dumps(request, sort_keys=True)
        early = px._token_begin(token, params)
        if early is not None:
            action, answer = early
            px._update(entry, action=action)
            return answer
        answer = None
        try:
            answer = self._forward_isolated(body)
            return answer
        finally:
            px._token_end(token, answer or (502, None, [], b""))

    def _forward(self, body):
        """Send the request upstream on a new connection; (status, reason, headers, body)."""
        chunked = "chunked" in self.headers.get("Transfer-Encoding", "").lower()
        lines = ["%s %s HTTP/1.1" % (self.command, self.path)]
        for k, v in self.headers.items():
            if chunked and k.lower() in ("transfer-encoding", "content-length"):
                continue    # we de-chunked the body: send it with a length instead
            lines.append("%s: %s" % (k, v))
        if chunked:
            lines.append("Content-Length: %d" % len(body))
        request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        try:
            sock = socket.create_connection(self.server.owner.upstream, timeout=UPSTREAM_TIMEOUT_S)
        except OSError as e:
            return self._bad_gateway(e)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.sendall(request)
            resp = http.client.HTTPResponse(sock, method=self.command)
            resp.begin()        # skips any interim 100 Continue
            data = resp.read()
            return resp.status, resp.reason, resp.msg.items(), data
        except (OSError, http.client.HTTPException) as e:
            return self._bad_gateway(e)
        finally:
            sock.close()

    def _bad_gateway(self, err):
        log.warning("upstream %s:%d failed: %r", *self.server.owner.upstream, err)
        return 502, "Bad Gateway", [("Content-Type", "application/json")], json.dumps(
            {"proxy_error": "upstream failed: %r" % (err,)}).encode()


class _SharedExclusiveLock:
    """Many holders of the shared side at once, or one of the exclusive side; a waiting exclusive
    holder is not starved (new shared holders wait behind it)."""

    def __init__(self):
        self._cond = threading.Condition()
        self._shared = 0
        self._exclusive = False
        self._waiting_exclusive = 0

    class _Hold:
        def __init__(self, enter, leave):
            self._enter, self._leave = enter, leave

        def __enter__(self):
            self._enter()

        def __exit__(self, *exc):
            self._leave()

    def shared(self):
        return self._Hold(self._enter_shared, self._leave_shared)

    def exclusive(self):
        return self._Hold(self._enter_exclusive, self._leave_exclusive)

    def _enter_shared(self):
        with self._cond:
            while self._exclusive or self._waiting_exclusive:
                self._cond.wait()
            self._shared += 1

    def _leave_shared(self):
        with self._cond:
            self._shared -= 1
            self._cond.notify_all()

    def _enter_exclusive(self):
        with self._cond:
            self._waiting_exclusive += 1
            while self._exclusive or self._shared:
                self._cond.wait()
            self._waiting_exclusive -= 1
            self._exclusive = True

    def _leave_exclusive(self):
        with self._cond:
            self._exclusive = False
            self._cond.notify_all()


def _dynamodb_error(code, message):
    """(status, reason, headers, body) of a DynamoDB JSON 1.0 error."""
    body = json.dumps({"__type": "com.amazonaws.dynamodb.v20120810#" + code, "message": message}).encode()
    return 400, "Bad Request", [("Content-Type", "application/x-amz-json-1.0"),
                                ("x-amzn-RequestId", "fault-proxy-%d" % epoch_ms())], body


class _AdminHandler(_httpkit.Handler):
    server_version = "fault-proxy-admin"

    def handle_request(self):
        px = self.server.owner
        url = urllib.parse.urlsplit(self.path)
        route = (self.command, url.path.rstrip("/") or "/")
        try:
            body = self.read_json()
            if route == ("GET", "/log"):
                since = int(urllib.parse.parse_qs(url.query).get("since", ["0"])[0])
                return self.reply_json(200, px.log(since))
            if route == ("GET", "/rules"):
                return self.reply_json(200, {"rules": px.rules()})
            if route == ("POST", "/rules"):
                rules = body.get("rules", [body]) if isinstance(body, dict) else body
                return self.reply_json(200, {"rules": px.add_rules(rules)})
            if route == ("DELETE", "/rules"):
                px.clear_rules()
                return self.reply_json(200, {"rules": []})
            if route == ("GET", "/held"):
                return self.reply_json(200, px.held())
            if route == ("POST", "/release"):
                entry_id = body.get("id") if isinstance(body, dict) else None
                return self.reply_json(200, {"released": px.release(
                    None if entry_id is None else int(entry_id))})
            if route == ("GET", "/stats"):
                return self.reply_json(200, px.stats())
            if route == ("GET", "/client-tokens"):
                return self.reply_json(200, {"tokens": px.client_tokens()})
            if route == ("POST", "/client-tokens/expire"):
                return self.reply_json(200, {"expired": px.expire_client_tokens()})
            if route == ("POST", "/reset"):
                px.reset()
                return self.reply_json(200, {"status": "ok"})
            self.reply_json(404, {"error": "no such admin route: %s %s" % route})
        except (ValueError, TypeError, AttributeError) as e:
            self.reply_json(400, {"error": str(e)})


def main(argv=None):
    ap = argparse.ArgumentParser(description="fault-injecting reverse proxy")
    ap.add_argument("--upstream", required=True, help="HOST:PORT of moto")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--admin-port", type=int, default=0)
    ap.add_argument("--exit-on-stdin-eof", action="store_true")
    ap.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = ap.parse_args(argv)
    up_host, _, up_port = args.upstream.split("://")[-1].rstrip("/").rpartition(":")
    proxy = FaultProxy(up_host or "127.0.0.1", int(up_port), args.port, args.admin_port, args.host)
    _httpkit.serve_cli(proxy, proxy.ready_info, args.exit_on_stdin_eof, args.verbose, "fault_proxy")


if __name__ == "__main__":
    main()
