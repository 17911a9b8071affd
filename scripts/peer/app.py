"""The Python peer of the order pipeline, written the way a user would write it.

Same job as the Swift `bootstrap`, for the benchmark (scripts/bench): normalize an EventBridge
(`order.created`, `detail.order_id` + `detail.price`), JSON-text or raw event into an order, make
processing idempotent on the order id with Powertools for AWS Lambda (DynamoDB persistence,
payload validation), and on the first delivery only write `RAW_PREFIX<order_id>.json` to S3 with
boto3. Logs and EMF metrics come from Powertools' Logger and Metrics, as the Swift function
writes a log line and an EMF line per invocation. Run it with
`python -m awslambdaric app.handler` (or deploy it as `app.handler` on a python3.x runtime).
SQS events (the benchmark's 10-record batches) go through Powertools' BatchProcessor with
partial batch responses, each record's body an envelope as above, each order idempotent on its own.
S3 notifications are left out: the benchmark sends EventBridge events and SQS batches only. A conflicting re-delivery
(same order id, other price) fails with Powertools' IdempotencyValidationError.

Environment: BUCKET, TABLE (a Powertools table: key `id`, TTL on `expiration`), RAW_PREFIX
(default raw/events/), IDEMPOTENCY_TTL_SECONDS (default 172800), AWS_ENDPOINT_URL (boto3 reads it).
"""

import datetime
import json
import os
from decimal import Decimal, InvalidOperation

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

BUCKET = os.environ["BUCKET"]
RAW_PREFIX = os.environ.get("RAW_PREFIX", "raw/events/").strip("/") + "/"

logger = Logger(service="order-pipeline")
metrics = Metrics(namespace="OrderPipeline", service="order-pipeline")
s3 = boto3.client("s3")


class InvalidOrderEvent(Exception):
    """The event is not an order envelope, or misses order_id or price."""


def on_duplicate(response, data_record):
    """Powertools calls this when it answers from a COMPLETED record instead of running the function."""
    logger.info("Duplicate event ignored: %s", response.get("order_id"))
    metrics.add_metric(name="DuplicatesSkipped", unit=MetricUnit.Count, value=1)
    return response


persistence = DynamoDBPersistenceLayer(table_name=os.environ["TABLE"])
config = IdempotencyConfig(
    event_key_jmespath="order_id",
    payload_validation_jmespath="price",
    raise_on_no_idempotency_key=True,
    expires_after_seconds=int(os.environ.get("IDEMPOTENCY_TTL_SECONDS", "172800")),
    response_hook=on_duplicate,
)


def normalize(event):
    """(order, source) from an EventBridge, raw or JSON-text envelope."""
    if isinstance(event, str):
        try:
            event = json.loads(event)
        except ValueError as e:
            raise InvalidOrderEvent(f"the event is a string but not JSON: {e}") from None
    if not isinstance(event, dict):
        raise InvalidOrderEvent(f"expected a JSON object, found {type(event).__name__}")
    if "detail-type" in event and "source" in event and isinstance(event.get("detail"), dict):
        detail, source = event["detail"], event
    elif "order_id" in event:
        detail, source = event, {"envelope": "raw"}
    else:
        raise InvalidOrderEvent("expected an EventBridge event with detail.order_id or a raw order")
    order_id, price = detail.get("order_id"), detail.get("price")
    if not isinstance(order_id, (str, int)) or isinstance(order_id, bool) or str(order_id) == "":
        raise InvalidOrderEvent(f"order_id must be a string or an integer, found {order_id!r}")
    try:
        if isinstance(price, bool) or not isinstance(price, (int, float, str)):
            raise InvalidOperation
        # 42, 42.0 and "42.00" are the same price: validate on one spelling of it.
        canonical_price = format(Decimal(str(price)).normalize(), "f")
    except (InvalidOperation, ValueError):
        raise InvalidOrderEvent(f"price is required and must be a number, found {price!r}") from None
    order_id = str(order_id)
    if "/" in order_id or order_id in (".", "..") or len(order_id.encode()) > 512:
        raise InvalidOrderEvent(f"order_id {order_id!r} cannot be an S3 key")
    return {"order_id": order_id, "price": canonical_price, "detail": detail}, source


@idempotent_function(data_keyword_argument="order", persistence_store=persistence, config=config)
def process_order(order, source, request_id):
    key = f"{RAW_PREFIX}{order['order_id']}.json"
    document = {
        "order_id": order["order_id"],
        "price": order["detail"]["price"],
        "order": order["detail"],
        "source": source,
        "processed_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds"),
        "request_id": request_id,
    }
    s3.put_object(Bucket=BUCKET, Key=key, Body=json.dumps(document).encode(), ContentType="application/json")
    logger.info("Processed order %s at price %s (wrote s3://%s/%s)", order["order_id"], order["price"], BUCKET, key)
    metrics.add_metric(name="OrdersProcessed", unit=MetricUnit.Count, value=1)
    return {"ok": True, "order_id": order["order_id"], "first_time": True, "s3_key": key}


batch_processor = BatchProcessor(event_type=EventType.SQS)


def is_sqs(event):
    records = event.get("Records") if isinstance(event, dict) else None
    return isinstance(records, list) and bool(records) and isinstance(records[0], dict) \
        and records[0].get("eventSource") == "aws:sqs"


def sqs_record(record, request_id):
    """One SQS record: its body is an envelope; a failure lands in batchItemFailures."""
    logger.append_keys(message_id=record.message_id)
    order, source = normalize(record.body)
    logger.append_keys(order_id=order["order_id"])
    return process_order(order=order, source=source, request_id=request_id)


@metrics.log_metrics
@logger.inject_lambda_context
def handler(event, context):
    config.register_lambda_context(context)
    if is_sqs(event):
        return process_partial_response(event=event, processor=batch_processor, context=context,
                                        record_handler=lambda record: sqs_record(record, context.aws_request_id))
    try:
        order, source = normalize(event)
    except InvalidOrderEvent:
        metrics.add_metric(name="InvalidEvents", unit=MetricUnit.Count, value=1)
        raise
    logger.append_keys(order_id=order["order_id"])
    return process_order(order=order, source=source, request_id=context.aws_request_id)
