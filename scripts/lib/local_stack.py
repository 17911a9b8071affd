#!/usr/bin/env python3
"""moto (DynamoDB + S3 + IAM/STS) with SigV4 checking ON, set up for the order pipeline.

Starts moto's ThreadedMotoServer in-process on 127.0.0.1. With auth off it creates
the IAM user `order-pipeline` (inline policy dynamodb:*, s3:*, sts:AssumeRole on *)
and an access key, and the role `order-pipeline-role` (trusted by that user's ARN,
inline policy dynamodb:*, s3:* on *); then it turns authentication on
(POST /moto-api/reset-auth "0"), so every request must carry a valid signature.

CLI:
    python3 scripts/lib/local_stack.py [--port 0] [--admin-port 0] [--region us-east-1]
        [--exit-on-stdin-eof] [--verbose]
    Ready line: {"endpoint":"http://127.0.0.1:P","admin":"http://127.0.0.1:A",
                 "region":"us-east-1","access_key_id":"AKIA...","secret_access_key":"...",
                 "account_id":"123456789012","role_arn":"arn:aws:iam::...:role/order-pipeline-role"}

Admin API (JSON in/out; it calls moto through boto3 with the user's keys, auth on):
    POST /resources  {"table":"T","bucket":"B","versioning":true,"key":"order_id",
                      "audit_table":"A","totals_table":"D"}
                     table: partition key `key` (S), PAY_PER_REQUEST, TTL on expiry_time
                     (on `expiration` when key is "id", Powertools' schema); bucket (+ versioning);
                     audit_table (key order_id) and totals_table (key day) as the template makes
                     them for AUDIT_TABLE and TOTALS_TABLE: no TTL (kept for ever).
                     Each may be omitted; existing ones are fine.
                     -> {"table":{"name","key","ttl_attribute","created"},"bucket":{"name","versioning","created"},
                         "audit_table":{"name","key","created"},"totals_table":{"name","key","created"}}
    GET  /state?table=T&bucket=B
                     -> {"items":[DynamoDB JSON exactly as stored, sorted by key],
                         "objects":[{"key","versions":[{"version_id","etag","size","is_latest",
                                     "last_modified","body","content_type"} | delete markers
                                     {"version_id","is_latest","delete_marker":true}]}]}
                     (unversioned bucket: one version per key with version_id null; a body that is
                     not UTF-8 comes as "body": null, "body_base64": "...")
    POST /items      {"table":"T","item":{...DynamoDB JSON...}}  -> PutItem as given
    POST /session    [{"duration_seconds":3600}] -> AssumeRole of order-pipeline-role ->
                     {"access_key_id":"ASIA...","secret_access_key","session_token","expiration_ms"}
    POST /auth       {"enabled": true|false} -> reset-auth 0 | inf (IAM state is kept)
    POST /reset-data {"table":"T","bucket":"B"} -> deletes all items / all object versions
    GET  /info       the ready-line dictionary
    Errors: 400 {"error": <AWS error code or exception>, "message": ...}

Importable: LocalStack(port=0, admin_port=0, region="us-east-1") with start()/stop()/
create_resources()/state()/put_item()/session()/set_auth()/reset_data(), and the
attributes endpoint, admin_url, region, access_key_id, secret_access_key.
"""

import os

# moto reads this once at import. Auth is switched at run time with reset-auth,
# which works whatever the value here; "inf" (auth off) is moto's own default.
os.environ.setdefault("INITIAL_NO_AUTH_ACTION_COUNT", "inf")

import argparse  # noqa: E402
import base64  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import urllib.parse  # noqa: E402
import urllib.request  # noqa: E402

try:
    import _httpkit
except ImportError:  # imported from elsewhere: the helper sits next to this file
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import _httpkit

log = logging.getLogger("local_stack")

USER = "order-pipeline"
ROLE = "order-pipeline-role"


def _policy(actions, principal=None):
    stmt = {"Effect": "Allow", "Action": actions}
    if principal:
        stmt["Principal"] = {"AWS": principal}
    else:
        stmt["Resource"] = "*"
    return json.dumps({"Version": "2012-10-17", "Statement": [stmt]})


class LocalStack:
    def __init__(self, port=0, admin_port=0, region="us-east-1", host="127.0.0.1"):
        self.host, self.port, self.admin_port, self.region = host, port, admin_port, region
        self.access_key_id = self.secret_access_key = None
        self.account_id = self.role_arn = self.user_arn = None
        self._moto = self._admin = None
        self._auth_lock = threading.Lock()

    # --- life cycle --------------------------------------------------------
    def start(self):
        from moto.server import ThreadedMotoServer
        if not log.isEnabledFor(logging.DEBUG):
            logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request
        self._moto = ThreadedMotoServer(ip_address=self.host, port=self.port, verbose=False)
        self._moto.start()
        self.port = self._moto.get_host_and_port()[1]
        self.endpoint = "http://%s:%d" % (self.host, self.port)
        self._setup_identity()
        self._admin = _httpkit.Server((self.host, self.admin_port), _AdminHandler, owner=self)
        self.admin_port = self._admin.server_address[1]
        self.admin_url = "http://%s:%d" % (self.host, self.admin_port)
        self._admin.serve_in_thread("local-stack-admin")
        log.info("moto on %s (auth on), admin on %s", self.endpoint, self.admin_url)
        return self

    def stop(self):
        if self._admin:
            self._admin.stop()
        if self._moto:
            self._moto.stop()

    def ready_info(self):
        return {"endpoint": self.endpoint, "admin": self.admin_url, "region": self.region,
                "access_key_id": self.access_key_id, "secret_access_key": self.secret_access_key,
                "account_id": self.account_id, "role_arn": self.role_arn}

    def _client(self, service, key=None, secret=None, token=None):
        import boto3
        from botocore.config import Config
        cfg = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2, "mode": "standard"},
                     request_checksum_calculation="when_required",
                     response_checksum_validation="when_required",
                     proxies={})  # loopback: never through an http_proxy from the environment
        # Everything explicit, so AWS_* variables meant for the function don't leak in.
        return boto3.session.Session().client(
            service, endpoint_url=self.endpoint, region_name=self.region, config=cfg,
            aws_access_key_id=key or self.access_key_id,
            aws_secret_access_key=secret or self.secret_access_key, aws_session_token=token)

    def _reset_auth(self, value):
        req = urllib.request.Request(self.endpoint + "/moto-api/reset-auth", data=value.encode(),
                                     headers={"Content-Type": "text/plain"}, method="POST")
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(req, timeout=10) as resp:
            return json.loads(resp.read())

    def _setup_identity(self):
        self._reset_auth("inf")
        iam = self._client("iam", "testing", "testing")
        user = iam.create_user(UserName=USER)["User"]
        iam.put_user_policy(UserName=USER, PolicyName="order-pipeline-access",
                            PolicyDocument=_policy(["dynamodb:*", "s3:*", "sts:AssumeRole"]))
        key = iam.create_access_key(UserName=USER)["AccessKey"]
        role = iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=_policy(
            "sts:AssumeRole", principal=user["Arn"]))["Role"]
        iam.put_role_policy(RoleName=ROLE, PolicyName="order-pipeline-access",
                            PolicyDocument=_policy(["dynamodb:*", "s3:*"]))
        self.user_arn, self.role_arn = user["Arn"], role["Arn"]
        self.account_id = user["Arn"].split(":")[4]
        self.access_key_id, self.secret_access_key = key["AccessKeyId"], key["SecretAccessKey"]
        self._reset_auth("0")
        self.ddb, self.s3, self.sts = (self._client(s) for s in ("dynamodb", "s3", "sts"))

    # --- admin operations --------------------------------------------------
    def set_auth(self, enabled):
        with self._auth_lock:
            previous = self._reset_auth("0" if enabled else "inf")
        return {"enabled": bool(enabled),
                "previous_enabled": previous.get("PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT") != "inf"}

    def create_resources(self, table=None, bucket=None, versioning=False, key="order_id",
                         audit_table=None, totals_table=None):
        out = {}
        if table:
            out["table"] = self._create_table(table, key)
        if bucket:
            out["bucket"] = self._create_bucket(bucket, versioning)
        for name, kind, table_key in ((audit_table, "audit_table", "order_id"),
                                      (totals_table, "totals_table", "day")):
            if name:
                out[kind] = {"name": name, "key": table_key, "created": self._create_key_table(name, table_key)}
        return out

    def _create_key_table(self, table, key):
        """A PAY_PER_REQUEST table with a string partition key; False if it was there already."""
        try:
            self.ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                                  KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
                                  AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}])
            return True
        except self.ddb.exceptions.ResourceInUseException:
            return False

    def _create_table(self, table, key):
        ttl_attr = "expiration" if key == "id" else "expiry_time"
        created = self._create_key_table(table, key)
        ttl = self.ddb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
        if ttl.get("TimeToLiveStatus") != "ENABLED":
            self.ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={
                "Enabled": True, "AttributeName": ttl_attr})
        else:
            ttl_attr = ttl.get("AttributeName")
        return {"name": table, "key": key, "ttl_attribute": ttl_attr, "created": created}

    def _create_bucket(self, bucket, versioning):
        from botocore.exceptions import ClientError
        kw = {} if self.region == "us-east-1" else {
            "CreateBucketConfiguration": {"LocationConstraint": self.region}}
        try:  # CreateBucket on an existing bucket succeeds in us-east-1: ask first
            self.s3.head_bucket(Bucket=bucket)
            created = False
        except ClientError:
            self.s3.create_bucket(Bucket=bucket, **kw)
            created = True
        if versioning:
            self.s3.put_bucket_versioning(Bucket=bucket,
                                          VersioningConfiguration={"Status": "Enabled"})
        status = self.s3.get_bucket_versioning(Bucket=bucket).get("Status")
        return {"name": bucket, "versioning": status == "Enabled", "created": created}

    def put_item(self, table, item):
        self.ddb.put_item(TableName=table, Item=item)
        return {"ok": True}

    def session(self, duration_seconds=3600, session_name="order-pipeline"):
        creds = self.sts.assume_role(RoleArn=self.role_arn, RoleSessionName=session_name,
                                     DurationSeconds=int(duration_seconds))["Credentials"]
        return {"access_key_id": creds["AccessKeyId"], "secret_access_key": creds["SecretAccessKey"],
                "session_token": creds["SessionToken"],
                "expiration_ms": int(creds["Expiration"].timestamp() * 1000)}

    def state(self, table=None, bucket=None):
        return {"items": self._items(table) if table else [],
                "objects": self._objects(bucket) if bucket else []}

    def _items(self, table):
        key = self.ddb.describe_table(TableName=table)["Table"]["KeySchema"][0]["AttributeName"]
        items = [i for page in self.ddb.get_paginator("scan").paginate(
            TableName=table, ConsistentRead=True) for i in page.get("Items", [])]
        return sorted(items, key=lambda i: json.dumps(i.get(key), sort_keys=True))

    def _is_versioned(self, bucket):
        return self.s3.get_bucket_versioning(Bucket=bucket).get("Status") in ("Enabled", "Suspended")

    def _versions(self, bucket):
        """[(key, version_id or None, listing entry, is_delete_marker)] in listing order.

        Lists without a prefix: moto's auth rejects prefixes with '/' (moto#5948)."""
        out = []
        if self._is_versioned(bucket):
            for page in self.s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
                rows = [(v, False) for v in page.get("Versions", [])]
                rows += [(d, True) for d in page.get("DeleteMarkers", [])]
                out += [(v["Key"], v["VersionId"], v, dm) for v, dm in rows]
        else:
            for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
                out += [(o["Key"], None, o, False) for o in page.get("Contents", [])]
        return out

    def _objects(self, bucket):
        by_key = {}
        for key, version_id, v, delete_marker in self._versions(bucket):
            entry = {"version_id": version_id, "is_latest": v.get("IsLatest", True),
                     "last_modified": v["LastModified"].isoformat()}
            if delete_marker:
                entry["delete_marker"] = True
            else:
                data, content_type = self._get_object(bucket, key, version_id)
                entry.update(etag=v["ETag"], size=v["Size"], content_type=content_type)
                try:
                    entry["body"] = data.decode("utf-8")
                except UnicodeDecodeError:
                    entry.update(body=None, body_base64=base64.b64encode(data).decode())
            by_key.setdefault(key, []).append(entry)
        for versions in by_key.values():  # newest first, as S3 lists them (stable sort)
            versions.sort(key=lambda e: (e["is_latest"], e["last_modified"]), reverse=True)
        return [{"key": k, "versions": by_key[k]} for k in sorted(by_key)]

    def _moto_s3(self):
        from moto.s3.models import s3_backends
        from moto.utilities.utils import get_partition
        return s3_backends[self.account_id][get_partition(self.region)]

    @staticmethod
    def _moto_mangles(err):
        # moto#5948: under auth moto re-signs a decoded path, so keys with + = ( ) , ;
        # non-ASCII ... fail with SignatureDoesNotMatch. Such keys are read in-process.
        return err.response.get("Error", {}).get("Code") == "SignatureDoesNotMatch"

    def _get_object(self, bucket, key, version_id):
        from botocore.exceptions import ClientError
        kw = {"VersionId": version_id} if version_id else {}
        try:
            obj = self.s3.get_object(Bucket=bucket, Key=key, **kw)
            return obj["Body"].read(), obj.get("ContentType")
        except ClientError as e:
            if not self._moto_mangles(e):
                raise
        obj = self._moto_s3().get_object(bucket, key, version_id)
        return obj.value, obj.metadata.get("content-type")

    def _delete_object(self, bucket, key, version_id):
        from botocore.exceptions import ClientError
        kw = {"VersionId": version_id} if version_id else {}
        try:
            self.s3.delete_object(Bucket=bucket, Key=key, **kw)
        except ClientError as e:
            if not self._moto_mangles(e):
                raise
            self._moto_s3().delete_object(bucket, key, version_id)

    def reset_data(self, table=None, bucket=None):
        out = {}
        if table:
            key = self.ddb.describe_table(TableName=table)["Table"]["KeySchema"][0]["AttributeName"]
            items = self._items(table)
            for item in items:
                self.ddb.delete_item(TableName=table, Key={key: item[key]})
            out["items_deleted"] = len(items)
        if bucket:
            versions = self._versions(bucket)
            for key, version_id, _, _ in versions:
                self._delete_object(bucket, key, version_id)
            out["versions_deleted"] = len(versions)
        return out


class _AdminHandler(_httpkit.Handler):
    server_version = "local-stack-admin"

    def handle_request(self):
        from botocore.exceptions import BotoCoreError, ClientError
        ls = self.server.owner
        url = urllib.parse.urlsplit(self.path)
        route = (self.command, url.path.rstrip("/") or "/")
        try:
            body = self.read_json()
            if route == ("GET", "/state"):
                q = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
                return self.reply_json(200, ls.state(q.get("table"), q.get("bucket")))
            if route == ("POST", "/resources"):
                return self.reply_json(200, ls.create_resources(
                    body.get("table"), body.get("bucket"), bool(body.get("versioning")),
                    body.get("key") or "order_id", body.get("audit_table"), body.get("totals_table")))
            if route == ("POST", "/items"):
                return self.reply_json(200, ls.put_item(body["table"], body["item"]))
            if route == ("POST", "/session"):
                return self.reply_json(200, ls.session(body.get("duration_seconds", 3600)))
            if route == ("POST", "/auth"):
                return self.reply_json(200, ls.set_auth(bool(body.get("enabled", True))))
            if route == ("POST", "/reset-data"):
                return self.reply_json(200, ls.reset_data(body.get("table"), body.get("bucket")))
            if route in (("GET", "/info"), ("GET", "/")):
                return self.reply_json(200, ls.ready_info())
            self.reply_json(404, {"error": "NotFound", "message": "no admin route %s %s" % route})
        except ClientError as e:
            err = e.response.get("Error", {})
            self.reply_json(400, {"error": err.get("Code"), "message": err.get("Message"),
                                  "status": e.response.get("ResponseMetadata", {})
                                  .get("HTTPStatusCode")})
        except (BotoCoreError, ValueError, KeyError, TypeError) as e:
            self.reply_json(400, {"error": type(e).__name__, "message": str(e)})


def main(argv=None):
    ap = argparse.ArgumentParser(description="moto with SigV4 checking, for the order pipeline")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="moto's port")
    ap.add_argument("--admin-port", type=int, default=0)
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("--exit-on-stdin-eof", action="store_true")
    ap.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = ap.parse_args(argv)
    stack = LocalStack(args.port, args.admin_port, args.region, args.host)
    _httpkit.serve_cli(stack, stack.ready_info, args.exit_on_stdin_eof, args.verbose, "local_stack")


if __name__ == "__main__":
    main()
