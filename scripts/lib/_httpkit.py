"""Shared plumbing for the local test servers in scripts/lib (standard library only).

Used by runtime_emulator.py, fault_proxy.py and local_stack.py:

- Server: a ThreadingHTTPServer on loopback with daemon threads, a deep listen
  backlog, TCP_NODELAY on every accepted socket and connection counters.
- Handler: an HTTP/1.1 keep-alive request handler whose replies go out in ONE
  socket write (status line + headers + body), so that with TCP_NODELAY the
  tools add no Nagle/delayed-ACK latency when they are benchmarked through.
  It also reads Content-Length and chunked bodies, checks whether the peer is
  still connected (non-blocking MSG_PEEK) and can reset a connection (RST).
- serve_cli: the common CLI life cycle: start, print ONE JSON ready line to
  stdout, serve until SIGTERM/SIGINT or (optionally) EOF on stdin, stop.

Nothing here is meant to be run directly.
"""

import http.server
import json
import logging
import os
import select
import signal
import socket
import socketserver
import struct
import sys
import threading
import time

log = logging.getLogger("httpkit")

_REASONS = {s.value: s.phrase for s in http.HTTPStatus}


def epoch_ms():
    return int(time.time() * 1000)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True          # a blocked handler never keeps the process alive
    allow_reuse_address = True
    request_queue_size = 256       # benchmarks open many connections at once

    def __init__(self, address, handler_class, owner=None):
        self.owner = owner         # the tool object the handlers talk to
        self.counter_lock = threading.Lock()
        self.connections_accepted = 0
        self.open_connections = 0
        self.open_sockets = set()
        super().__init__(address, handler_class)

    def server_bind(self):
        # HTTPServer.server_bind calls getfqdn(), a reverse DNS lookup: skip it.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def get_request(self):
        sock, addr = super().get_request()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.counter_lock:
            self.connections_accepted += 1
            self.open_connections += 1
            self.open_sockets.add(sock)
        return sock, addr

    def shutdown_request(self, request):
        with self.counter_lock:
            self.open_connections -= 1
            self.open_sockets.discard(request)
        super().shutdown_request(request)

    def stop(self):
        """Stop accepting, then end the open keep-alive connections too."""
        self.shutdown()
        self.server_close()
        with self.counter_lock:
            socks = list(self.open_sockets)
        for sock in socks:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            log.debug("connection from %s ended: %r", client_address, exc)
        else:
            log.exception("error while serving %s", client_address)

    def serve_in_thread(self, name):
        t = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.1},
                             name=name, daemon=True)
        t.start()
        return t


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive unless the client asks to close
    server_version = "local-tool"
    sys_version = ""
    _aborted = False

    def __getattr__(self, name):
        # Every HTTP method (do_GET, do_PUT, ...) goes to handle_request().
        if name.startswith("do_"):
            return self.handle_request
        raise AttributeError(name)

    def handle_request(self):
        raise NotImplementedError

    def log_message(self, fmt, *args):
        log.debug("%s %s", self.address_string(), fmt % args)

    # --- reading ---------------------------------------------------------
    def read_body(self):
        """The request body: Content-Length, or chunked (de-chunked), or empty."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts = []
            while True:
                size_line = self.rfile.readline(65537)
                if not size_line:
                    raise ConnectionError("EOF inside a chunked body")
                size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass  # skip trailers
                    return b"".join(parts)
                parts.append(self._read_exact(size))
                self.rfile.readline(65537)  # CRLF after the chunk
        length = int(self.headers.get("Content-Length") or 0)
        return self._read_exact(length) if length > 0 else b""

    def _read_exact(self, n):
        data = self.rfile.read(n)
        if len(data) != n:
            raise ConnectionError("EOF inside the request body")
        return data

    def read_json(self):
        body = self.read_body()
        return json.loads(body) if body.strip() else {}

    # --- writing ---------------------------------------------------------
    def reply(self, status, body=b"", headers=(), content_type="application/json",
              reason=None):
        """Send one complete response with a single socket write."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        lines = ["HTTP/1.1 %d %s" % (status, reason or _REASONS.get(status, "Unknown"))]
        names = set()
        for name, value in (headers.items() if isinstance(headers, dict) else headers):
            lines.append("%s: %s" % (name, value))
            names.add(name.lower())
        if content_type and "content-type" not in names:
            lines.append("Content-Type: " + content_type)
        if "content-length" not in names:
            lines.append("Content-Length: %d" % len(body))
        lines.append("Connection: " + ("close" if self.close_connection else "keep-alive"))
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if self.command == "HEAD" or status in (204, 304) or 100 <= status < 200:
            body = b""
        self.wfile.write(head + body)   # _SocketWriter: one sendall()
        self.log_request(status, len(body))

    def reply_json(self, status, obj, headers=()):
        self.reply(status, json.dumps(obj), headers)

    # --- connection state ------------------------------------------------
    def peer_alive(self):
        """False once the peer has closed or reset the connection (never blocks)."""
        try:
            p = select.poll()
            p.register(self.connection, select.POLLIN | select.POLLERR | select.POLLHUP)
            if not p.poll(0):
                return True           # nothing to read: still connected and idle
            return bool(self.connection.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT))
        except (BlockingIOError, InterruptedError):
            return True
        except (OSError, ValueError):
            return False

    def abort(self):
        """Close the connection with an RST (SO_LINGER 0) once the handler returns."""
        self.close_connection = True
        self._aborted = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
        except OSError:
            pass

    def finish(self):
        try:
            super().finish()
        except OSError:
            pass
        if self._aborted:
            # Close the fd now (no shutdown(), which would send a FIN first).
            self.connection.close()


def serve_cli(tool, ready, exit_on_stdin_eof=False, verbose=False, name="tool"):
    """Run `tool` (start()/stop()) as a CLI child process.

    `ready` is a function returning the dict printed as the single JSON line on
    stdout once tool.start() has returned. Afterwards anything printed goes to
    stderr, so stdout carries exactly that one line.
    """
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s " + name + " %(levelname)s %(message)s")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    real_stdout, sys.stdout = sys.stdout, sys.stderr
    tool.start()
    real_stdout.write(json.dumps(ready()) + "\n")
    real_stdout.flush()
    if exit_on_stdin_eof:
        threading.Thread(target=_wait_stdin_eof, args=(stop,), daemon=True).start()
    while not stop.wait(1.0):
        pass
    logging.getLogger(name).info("stopping")
    tool.stop()


def _wait_stdin_eof(stop):
    try:
        while os.read(0, 65536):
            pass
    except OSError:
        pass
    stop.set()
