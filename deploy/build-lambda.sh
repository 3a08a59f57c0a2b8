#!/bin/sh
# Builds MAGI for AWS Lambda (provided.al2023, arm64): the binary, named
# bootstrap as the runtime expects, and the zip that deploy/template.yaml
# deploys. `make lambda` runs it; then `cd deploy && sam deploy`.
#
# BUILD_DIR (default: build at the repository root) is where it writes
# lambda/bootstrap and magi-lambda.zip.
set -eu
cd "$(dirname "$0")/.."
out=${BUILD_DIR:-build}
mkdir -p "$out/lambda"

# lambda.norpc: only the Runtime API loop, without the go1.x RPC server;
# grpcnotrace: gRPC (the OTLP exporter's) without x/net/trace's templates.
GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -trimpath -tags lambda.norpc,grpcnotrace \
	-ldflags='-s -w' -o "$out/lambda/bootstrap" ./cmd/magi
go run ./deploy/zipbootstrap "$out/lambda/bootstrap" "$out/magi-lambda.zip"
echo "built $out/magi-lambda.zip; deploy with: cd deploy && sam deploy"
