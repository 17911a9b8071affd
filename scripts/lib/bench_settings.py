"""Constants shared by bench.py and its helpers: the CPU share, the targets, the repetitions."""

import os

CLK_TCK = os.sysconf("SC_CLK_TCK")
QUOTA_US, PERIOD_US = 7200, 100000          # 128 MB of 1,769 MB = one vCPU -> 7.2 % of a core
REGION = "us-east-1"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:order-pipeline"
TARGETS = {"cold_ms": 10.0, "cold_share_ms": 30.0, "cpu_ratio": 0.10, "p50_share_ratio": 0.20,
           "rss_bytes": 20_000_000, "zip_bytes": 10_000_000, "first_requests": 3, "dup_requests": 1,
           # over TLS (issue 10), ours / peer
           "tls_first_invoke_share_ratio": 0.10, "tls_cpu_to_first_response_ratio": 0.05, "tls_cpu_ratio": 0.10}

# Repetitions. The peer needs seconds to start at the 128 MB share, hence fewer spawns there.
SETTINGS = {
    "full": {"cold": 15, "warmup": 10, "batch": 300, "rounds": 3, "count": 5, "floor_invokes": 300,
             "share_cold": {"floor": 10, "ours": 15, "peer": 7}, "share_warmup": 3, "share_batch": 100,
             "sqs_batches": 20, "sqs_slow_batches": 5, "sqs_slow_delay_ms": 50},
    "quick": {"cold": 5, "warmup": 3, "batch": 30, "rounds": 1, "count": 2, "floor_invokes": 50,
              "share_cold": {"floor": 3, "ours": 5, "peer": 2}, "share_warmup": 2, "share_batch": 10,
              "sqs_batches": 3, "sqs_slow_batches": 2, "sqs_slow_delay_ms": 50},
}
