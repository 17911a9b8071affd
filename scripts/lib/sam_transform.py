#!/usr/bin/env python3
"""Runs the AWS SAM transform on a template, offline, and prints the CloudFormation JSON.

CLI:
    python3 scripts/lib/sam_transform.py [TEMPLATE] [--region us-east-1] [--parameter KEY=VALUE ...]
    TEMPLATE defaults to template.yaml next to scripts/. Prints the transformed template
    (indented JSON, keys sorted) on stdout; exit 1 with the translator's message on an
    invalid template, exit 2 when aws-sam-translator is not installed.

It is what CloudFormation's AWS::Serverless-2016-10-31 transform does, through the same
library (aws-sam-translator's samtranslator.translator.transform.transform), on the template
as `sam package` would upload it: a local CodeUri (.build/lambda/bootstrap.zip) becomes
s3://sam-package-placeholder/<path>, as cfn-lint does too. Managed policy names are resolved
through a stub map instead of IAM (the template uses none), so no AWS account or network is
needed.
"""

import argparse
import json
import os
import sys

# The managed policies the stub can resolve (name -> ARN), as IAM would.
MANAGED_POLICIES = {
    "AWSLambdaBasicExecutionRole": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
}


# Where `sam package` would have uploaded local artifacts.
PLACEHOLDER_BUCKET = "sam-package-placeholder"


class StubManagedPolicyLoader:
    """Stands in for samtranslator's ManagedPolicyLoader, which asks IAM."""

    def load(self):
        return dict(MANAGED_POLICIES)


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("template", nargs="?", default=os.path.join(here, "..", "..", "template.yaml"))
    parser.add_argument("--parameter", action="append", default=[], metavar="KEY=VALUE",
                        help="a template parameter value (repeatable)")
    parser.add_argument("--region", default="us-east-1",
                        help="the region the pseudo parameters name (default us-east-1)")
    args = parser.parse_args(argv)
    # The translator fills AWS::Region and AWS::Partition from a boto3 session's region.
    os.environ["AWS_DEFAULT_REGION"] = args.region
    os.environ.pop("AWS_REGION", None)
    os.environ.pop("AWS_PROFILE", None)

    try:
        from samtranslator.model.exceptions import InvalidDocumentException
        from samtranslator.translator.transform import transform
        from samtranslator.yaml_helper import yaml_parse
    except ImportError as error:
        print("aws-sam-translator is not installed (%s): scripts/test installs it "
              "(pip install aws-sam-translator)" % error, file=sys.stderr)
        return 2

    parameters = {}
    for pair in args.parameter:
        key, sep, value = pair.partition("=")
        if not sep:
            parser.error("--parameter expects KEY=VALUE, found %r" % pair)
        parameters[key] = value

    with open(args.template, encoding="utf-8") as handle:
        template = yaml_parse(handle.read())
    for resource in (template.get("Resources") or {}).values():
        properties = resource.get("Properties") or {}
        if resource.get("Type") == "AWS::Serverless::Function":
            uri = properties.get("CodeUri")
            if isinstance(uri, str) and not uri.startswith("s3://"):
                properties["CodeUri"] = "s3://%s/%s" % (PLACEHOLDER_BUCKET, uri[2:] if uri.startswith("./") else uri)
    try:
        transformed = transform(template, parameters, StubManagedPolicyLoader())
    except InvalidDocumentException as error:
        for cause in error.causes:
            print("sam transform: %s" % cause.message, file=sys.stderr)
        return 1
    json.dump(transformed, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
