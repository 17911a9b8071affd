#!/usr/bin/env python3
"""The demo behind scripts/demo: the real bootstrap on the local stack, every file in events/
delivered twice (first time, then as an at-least-once source redelivers it), then what landed
in S3 and DynamoDB: the claim items, the audit trail (one item per completed order) and the
day's totals. SQS batches (events/1x-sqs-*) answer with the messageIds that go back to the
queue; SNS and Pipes answer with their results. Then again as on Lambda Managed Instances
(AWS_LAMBDA_MAX_CONCURRENCY=4): one process, four workers, both deliveries of every file at once,
into a fresh table and bucket. Starts moto (SigV4 checking on) and the Runtime API emulator
in-process and stops everything it started.

    python3 scripts/lib/demo.py --bootstrap .build/debug/bootstrap [--events events] [--keep-logs]
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from local_stack import LocalStack  # noqa: E402
from runtime_emulator import RuntimeEmulator  # noqa: E402

BOLD, DIM, GREEN, YELLOW, RED, RESET = "\033[1m", "\033[2m", "\033[32m", "\033[33m", "\033[31m", "\033[0m"
if not sys.stdout.isatty():
    BOLD = DIM = GREEN = YELLOW = RED = RESET = ""

TABLE, BUCKET = "processed-orders", "orders-demo"
CONCURRENT_TABLE, CONCURRENT_BUCKET = "processed-orders-mi", "orders-demo-mi"
WORKERS = 4
AUDIT_TABLE, TOTALS_TABLE = "order-audit", "order-totals"   # AUDIT_TABLE, TOTALS_TABLE: the audit trail on


def heading(text):
    print("\n%s== %s%s" % (BOLD, text, RESET))


def describe(headers, body):
    """One line saying what the function answered."""
    try:
        answer = json.loads(body)
    except ValueError:
        return RED + "unreadable answer: " + body.decode(errors="replace") + RESET
    if "X-Amz-Function-Error" in headers:
        colour = YELLOW if answer.get("errorType") == "OrderInProgress" else RED
        return "%s%s%s: %s" % (colour, answer.get("errorType"), RESET, answer.get("errorMessage"))
    if "batchItemFailures" in answer:
        failed = [item.get("itemIdentifier") for item in answer["batchItemFailures"]]
        if not failed:
            return "%sbatch done%s  no record failed" % (GREEN, RESET)
        return "%spartial batch%s  %d record%s back to the queue: %s" % (
            YELLOW, RESET, len(failed), "" if len(failed) == 1 else "s", ", ".join(failed))
    if answer.get("ignored"):
        return "%signored%s     %s (acknowledged, nothing to do)" % (DIM, RESET, answer["ignored"])
    results = answer.get("results") if "results" in answer else [answer]
    parts = []
    for result in results:
        if result.get("first_time"):
            parts.append("%sfirst time%s  order %s -> %s" % (GREEN, RESET, result["order_id"], result["s3_key"]))
        elif result.get("duplicate"):
            parts.append("%sduplicate%s   order %s (first written %s)" % (
                YELLOW, RESET, result["order_id"], result.get("processed_at", "by an earlier run")))
    return "; ".join(parts)


def replay(emulator, events_dir, files, label):
    heading(label)
    width = max(len(f) for f in files)
    for name in files:
        with open(os.path.join(events_dir, name), "rb") as handle:
            event = handle.read()
        headers, body = emulator.invoke(event, timeout_ms=10000)
        print("  %-*s  %s" % (width, name, describe(headers, body)))
        print("  %-*s  %s%s%s" % (width, "", DIM, body.decode(errors="replace"), RESET))


def concurrent_replay(emulator, events_dir, files, copies):
    """Delivers `copies` of every file all at once (a thread each) and prints each file's answers."""
    heading("Every file delivered %d times at once to one process with %d workers" % (copies, WORKERS))
    answers = {}
    lock = threading.Lock()

    def deliver(name, copy, event):
        headers, body = emulator.invoke(event, timeout_ms=10000)
        with lock:
            answers[(name, copy)] = describe(headers, body)

    threads = []
    for name in files:
        with open(os.path.join(events_dir, name), "rb") as handle:
            event = handle.read()
        for copy in range(copies):
            threads.append(threading.Thread(target=deliver, args=(name, copy, event)))
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    width = max(len(f) for f in files)
    for name in files:
        for copy in range(copies):
            print("  %-*s  %s" % (width, name if copy == 0 else "", answers[(name, copy)]))
    state = emulator.state()
    print("  %s%d invocations in %.2f s; at most %d polling /next and %d running at once%s" % (
        DIM, len(threads), elapsed, state["max_pollers_waiting"], state["max_running"], RESET))


def show_state(stack, table=TABLE, bucket=BUCKET, audit=True):
    """Prints S3 and DynamoDB; returns (objects written more than once, items not COMPLETED)."""
    state = stack.state(table=table, bucket=bucket)
    heading("S3: s3://%s (versioned; one version per write)" % bucket)
    for obj in state["objects"]:
        versions = [v for v in obj["versions"] if not v.get("delete_marker")]
        latest = versions[0] if versions else {}
        print("  %s  %s%d version%s, %s bytes%s" % (obj["key"], DIM, len(versions), "" if len(versions) == 1 else "s",
                                                   latest.get("size"), RESET))
        if latest.get("body"):
            print("    %s%s%s" % (DIM, latest["body"][:160] + ("…" if len(latest["body"]) > 160 else ""), RESET))
    heading("DynamoDB: table %s (one claim item per order)" % table)
    for item in state["items"]:
        plain = {k: next(iter(v.values())) for k, v in item.items()}
        print("  %-16s %-10s processed_at=%s s3_key=%s expiry_time=%s" % (
            plain.get("order_id"), plain.get("status"), plain.get("processed_at"), plain.get("s3_key"),
            plain.get("expiry_time")))
    rewritten = [o["key"] for o in state["objects"] if len([v for v in o["versions"] if not v.get("delete_marker")]) != 1]
    unfinished = [i["order_id"]["S"] for i in state["items"] if i.get("status", {}).get("S") != "COMPLETED"]
    miscounted = show_audit_trail(stack, [i["order_id"]["S"] for i in state["items"]]) if audit else []
    return len(state["objects"]), rewritten, unfinished, miscounted


def show_audit_trail(stack, completed):
    """Prints the audit items and the day's totals; returns what is not exactly once."""
    audit = stack.state(table=AUDIT_TABLE)["items"]
    heading("DynamoDB: table %s (the audit trail: one item per completed order, written in the completing transaction)"
            % AUDIT_TABLE)
    for item in audit:
        plain = {k: next(iter(v.values())) for k, v in item.items()}
        print("  %-16s price=%-6s source=%s processed_at=%s request_id=%s" % (
            plain.get("order_id"), plain.get("price", "-"), plain.get("source"), plain.get("processed_at"),
            plain.get("request_id")))
    totals = stack.state(table=TOTALS_TABLE)["items"]
    heading("DynamoDB: table %s (per UTC day: orders counted once each, revenue as an exact decimal sum)" % TOTALS_TABLE)
    for item in totals:
        print("  %s  orders=%s revenue=%s" % (item["day"]["S"], item.get("orders", {}).get("N", "0"),
                                             item.get("revenue", {}).get("N", "0")))
    audited = sorted(i["order_id"]["S"] for i in audit)
    counted = sum(int(i.get("orders", {}).get("N", "0")) for i in totals)
    problems = []
    if audited != sorted(completed):
        problems.append("audit items %s for completed orders %s" % (audited, sorted(completed)))
    if counted != len(completed):
        problems.append("%d orders counted for %d completed" % (counted, len(completed)))
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--events", default="events")
    parser.add_argument("--keep-logs", action="store_true", help="print the function's whole log at the end")
    args = parser.parse_args()

    files = sorted(f for f in os.listdir(args.events) if not f.startswith("."))
    stack = LocalStack(port=0, admin_port=0)
    emulator = RuntimeEmulator(port=0, timeout_ms=10000)
    runtime = None
    concurrent_emulator = None
    log_path = os.path.join(os.environ.get("TMPDIR", "/tmp"), "order-pipeline-demo-%d.log" % os.getpid())
    try:
        stack.start()
        stack.create_resources(table=TABLE, bucket=BUCKET, versioning=True,
                               audit_table=AUDIT_TABLE, totals_table=TOTALS_TABLE)
        emulator.start()
        heading("Local stack")
        print("  moto (DynamoDB + S3, SigV4 signature checking on)  %s" % stack.endpoint)
        print("  Runtime API emulator                               %s" % emulator.runtime_api)
        print("  bootstrap                                          %s" % args.bootstrap)
        environment = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("TMPDIR", "/tmp"),
            "AWS_LAMBDA_RUNTIME_API": emulator.runtime_api,
            "AWS_REGION": stack.region,
            "AWS_ACCESS_KEY_ID": stack.access_key_id,
            "AWS_SECRET_ACCESS_KEY": stack.secret_access_key,
            "AWS_ENDPOINT_URL": stack.endpoint,
            "BUCKET": BUCKET,
            "TABLE": TABLE,
            "AUDIT_TABLE": AUDIT_TABLE,
            "TOTALS_TABLE": TOTALS_TABLE,
            "AWS_LAMBDA_FUNCTION_NAME": "order-pipeline-demo",
        }
        with open(log_path, "wb") as log:
            runtime = subprocess.Popen([args.bootstrap], env=environment, stdin=subprocess.DEVNULL,
                                       stdout=log, stderr=subprocess.STDOUT)
            replay(emulator, args.events, files, "First delivery of every file in %s/" % args.events)
            replay(emulator, args.events, files, "Second delivery (an at-least-once source redelivering)")
        objects, rewritten, unfinished, miscounted = show_state(stack)
        with open(log_path, encoding="utf-8", errors="replace") as log:
            lines = [line.rstrip("\n") for line in log if not line.startswith('{"_aws"')]
        heading("Function log (%s; EMF metric lines omitted here)" % ("all" if args.keep_logs else "last 12 lines"))
        for line in (lines if args.keep_logs else lines[-12:]):
            print("  " + line)
        if rewritten or unfinished or miscounted:
            print("\n%sNot exactly once: written more than once %s, not completed %s, audit trail %s%s" % (
                RED, rewritten, unfinished, miscounted, RESET))
            sys.exit(1)
        print("\n%s%d orders, each object written exactly once (one version), every claim COMPLETED, one audit item"
              " each and each counted once in the totals; the redeliveries, the conflict and the invalid events wrote"
              " nothing.%s" % (BOLD, objects, RESET))

        # Lambda Managed Instances: the same binary, AWS_LAMBDA_MAX_CONCURRENCY=4.
        runtime.kill()
        runtime.wait()
        runtime = None
        concurrent_emulator = RuntimeEmulator(port=0, timeout_ms=10000).start()
        stack.create_resources(table=CONCURRENT_TABLE, bucket=CONCURRENT_BUCKET, versioning=True)
        heading("Lambda Managed Instances: AWS_LAMBDA_MAX_CONCURRENCY=%d, table %s, bucket %s (no audit trail)" % (
            WORKERS, CONCURRENT_TABLE, CONCURRENT_BUCKET))
        concurrent_environment = dict(environment, TABLE=CONCURRENT_TABLE, BUCKET=CONCURRENT_BUCKET,
                                      AWS_LAMBDA_RUNTIME_API=concurrent_emulator.runtime_api,
                                      AWS_LAMBDA_MAX_CONCURRENCY=str(WORKERS))
        del concurrent_environment["AUDIT_TABLE"], concurrent_environment["TOTALS_TABLE"]
        with open(log_path, "wb") as log:
            runtime = subprocess.Popen([args.bootstrap], env=concurrent_environment, stdin=subprocess.DEVNULL,
                                       stdout=log, stderr=subprocess.STDOUT)
            deadline = time.monotonic() + 10
            while concurrent_emulator.state()["pollers_waiting"] < WORKERS and time.monotonic() < deadline:
                time.sleep(0.01)
            print("  %d workers polling /next, one process (pid %d)" % (
                concurrent_emulator.state()["pollers_waiting"], runtime.pid))
            concurrent_replay(concurrent_emulator, args.events, files, copies=2)
        objects, rewritten, unfinished, _ = show_state(stack, CONCURRENT_TABLE, CONCURRENT_BUCKET, audit=False)
        with open(log_path, encoding="utf-8", errors="replace") as log:
            lines = [line.rstrip("\n") for line in log if not line.startswith('{"_aws"')]
        heading("Function log (JSON with a requestId on every invocation line, as concurrency requires; %s)" % (
            "all" if args.keep_logs else "last 6 lines"))
        for line in (lines if args.keep_logs else lines[-6:]):
            print("  " + line)
        if rewritten or unfinished:
            print("\n%sNot exactly once: written more than once %s, not completed %s%s" % (RED, rewritten, unfinished, RESET))
            sys.exit(1)
        print("\n%s%d orders, each written exactly once with both deliveries racing on %d workers.%s" % (
            BOLD, objects, WORKERS, RESET))
    finally:
        if runtime is not None:
            runtime.kill()
            runtime.wait()
        emulator.stop()
        if concurrent_emulator is not None:
            concurrent_emulator.stop()
        stack.stop()
        if os.path.exists(log_path):
            os.unlink(log_path)


if __name__ == "__main__":
    main()
