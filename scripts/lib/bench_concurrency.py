#!/usr/bin/env python3
"""The concurrency row of scripts/bench: our bootstrap with AWS_LAMBDA_MAX_CONCURRENCY = 1, 4 and 16
(Lambda Managed Instances), every AWS call delayed 20 ms at the proxy, as if DynamoDB and S3 were
a region away.

For each N: one process with N workers; as many client threads as workers, each invoking unique
first-time orders back to back through the Runtime API emulator, so N invocations are in flight
at all times and none waits in the queue; after a warm-up of N orders, `invocations` orders in
all. Reported: throughput (orders per second of wall time), latency p50/p99 (wall time around
each invoke, in the harness), the emulator's peak of invocations running at once, and the
process's peak RSS (VmHWM) after the batch. A first-time order is three AWS requests, so 60 ms of
AWS time is its floor at any N; with enough workers the harness (moto and the emulator, Python
with one GIL each) becomes the limit, not the function: the report says which core did the work.

Standalone, without the peer (about a minute with --quick):

    python3 scripts/lib/bench_concurrency.py --bootstrap .build/release/bootstrap [--quick]

prints the rows and the raw numbers as JSON. scripts/bench runs the same measurement in its run
and puts the table in BENCHMARKS.md.
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from bench_measure import kib, proc_status, say, summary  # noqa: E402

WORKERS = (1, 4, 16)
DELAY_MS = 20
INVOCATIONS = {"full": 800, "quick": 160}


def _event(order_id):
    return json.dumps({"version": "0", "id": str(uuid.uuid4()), "detail-type": "order.created", "source": "bench.orders",
                       "account": "123456789012", "time": "2026-11-25T18:43:48Z", "region": "us-east-1",
                       "resources": [], "detail": {"order_id": order_id, "price": 42}}).encode()


def _drive(emu, clients, total, tag):
    """`clients` threads invoke `total` unique orders back to back; returns (wall seconds, latencies ms, failures)."""
    latencies, failures = [], []
    lock = threading.Lock()
    counter = iter(range(total))

    def client():
        while True:
            with lock:
                index = next(counter, None)
            if index is None:
                return
            started = time.monotonic()
            headers, body = emu.invoke(_event("%s-%d" % (tag, index)), timeout_ms=60000)
            elapsed = (time.monotonic() - started) * 1000.0
            with lock:
                if headers.get("X-Amz-Function-Error") or b'"first_time":true' not in body:
                    failures.append(body[:200].decode(errors="replace"))
                else:
                    latencies.append(elapsed)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started, latencies, failures


def measure(emu, proxy, spawn, mode, kill):
    """The row for each N. `spawn(n, log_name)` starts the function with AWS_LAMBDA_MAX_CONCURRENCY=n,
    its AWS calls through `proxy`; `kill(proc)` ends it."""
    invocations = INVOCATIONS[mode]
    proxy.reset()
    proxy.add_rule({"match": {}, "action": "delay", "delay_ms": DELAY_MS, "times": -1})
    rows = {}
    try:
        for n in WORKERS:
            say("ours: AWS_LAMBDA_MAX_CONCURRENCY=%d, %d first-time orders, every AWS call delayed %d ms" % (n, invocations, DELAY_MS))
            emu.reset()
            proc = spawn(n, "concurrency-%d.log" % n)
            try:
                deadline = time.monotonic() + 60
                while emu.state()["pollers_waiting"] < n:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError("the function with %d workers did not start polling (exit %s)" % (n, proc.poll()))
                    time.sleep(0.005)
                tag = "c%d-%s" % (n, uuid.uuid4().hex[:8])
                _drive(emu, n, n, tag + "-warm")
                wall, latencies, failures = _drive(emu, n, invocations, tag)
                status = proc_status(proc.pid)
                state = emu.state()
                rows[str(n)] = {
                    "workers": n, "invocations": invocations, "failures": len(failures), "failure_samples": failures[:3],
                    "wall_s": wall, "throughput_per_s": len(latencies) / wall if wall > 0 else None,
                    "latency_ms": summary(latencies), "max_running": state["max_running"],
                    "max_pollers_waiting": state["max_pollers_waiting"],
                    "vm_hwm_bytes": kib(status.get("VmHWM")), "threads": int(status.get("Threads", "0")),
                }
            finally:
                kill(proc)
    finally:
        proxy.reset()
    return {"delay_ms": DELAY_MS, "rows": rows}


def rows_markdown(result):
    """The section of BENCHMARKS.md (empty when the run did not measure it)."""
    if not result or not result.get("rows"):
        return ""

    def fmt(value, digits=1):
        return "n/a" if value is None else "%.*f" % (digits, value)

    lines = ["### Concurrency (Lambda Managed Instances): AWS_LAMBDA_MAX_CONCURRENCY = N, every AWS call %d ms\n"
             % result["delay_ms"],
             "| N workers | orders | throughput (orders/s) | p50 ms | p99 ms | peak running | peak RSS MB | failures |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for key in sorted(result["rows"], key=int):
        row = result["rows"][key]
        lines.append("| %d | %d | %s | %s | %s | %s | %s | %d |" % (
            row["workers"], row["invocations"], fmt(row["throughput_per_s"]), fmt(row["latency_ms"]["p50"]),
            fmt(row["latency_ms"]["p99"]), row["max_running"],
            fmt((row["vm_hwm_bytes"] or 0) / 1e6), row["failures"]))
    one = result["rows"].get("1", {}).get("throughput_per_s")
    lines.append("")
    if one:
        lines.append("Throughput against one worker: " + ", ".join(
            "%s× at N = %s" % (fmt(result["rows"][k]["throughput_per_s"] / one), k)
            for k in sorted(result["rows"], key=int) if k != "1" and result["rows"][k]["throughput_per_s"]) + ".")
        lines.append("")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--logs", default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "bench-concurrency-%d" % os.getpid()))
    args = ap.parse_args()

    from fault_proxy import FaultProxy
    from local_stack import LocalStack
    from runtime_emulator import RuntimeEmulator

    os.makedirs(args.logs, exist_ok=True)
    stack = LocalStack(port=0, admin_port=0).start()
    emu = proxy = None
    try:
        stack.create_resources(table="bench-concurrency", bucket="bench-concurrency")
        emu = RuntimeEmulator(timeout_ms=120000, queue_timeout_ms=180000).start()
        proxy = FaultProxy("127.0.0.1", stack.port).start()

        def spawn(n, log_name):
            env = {"PATH": "/usr/bin:/bin", "AWS_LAMBDA_RUNTIME_API": emu.runtime_api, "AWS_REGION": stack.region,
                   "AWS_ACCESS_KEY_ID": stack.access_key_id, "AWS_SECRET_ACCESS_KEY": stack.secret_access_key,
                   "AWS_ENDPOINT_URL": "http://127.0.0.1:%d" % proxy.port, "TABLE": "bench-concurrency",
                   "BUCKET": "bench-concurrency", "AWS_LAMBDA_FUNCTION_NAME": "order-pipeline",
                   "AWS_LAMBDA_MAX_CONCURRENCY": str(n), "HOME": os.environ.get("TMPDIR", "/tmp")}
            with open(os.path.join(args.logs, log_name), "ab") as log:
                return subprocess.Popen([os.path.abspath(args.bootstrap)], env=env, stdout=log, stderr=log,
                                        stdin=subprocess.DEVNULL)

        def kill(proc):
            proc.kill()
            proc.wait()

        result = measure(emu, proxy, spawn, "quick" if args.quick else "full", kill)
        print(rows_markdown(result))
        print(json.dumps(result, indent=1, sort_keys=True))
    finally:
        for tool in (proxy, emu, stack):
            if tool:
                tool.stop()
    return 0


if __name__ == "__main__":
    status = main()
    sys.stdout.flush()
    os._exit(status)
