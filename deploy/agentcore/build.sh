#!/bin/sh
# Builds MAGI for the Bedrock AgentCore Runtime container (linux/arm64),
# into BUILD_DIR/agentcore/magi (default BUILD_DIR: build at the repository
# root), where deploy/agentcore/Dockerfile copies it from. Then, at the
# repository root:
#   docker buildx build --platform linux/arm64 -f deploy/agentcore/Dockerfile -t magi-agentcore .
set -eu
cd "$(dirname "$0")/../.."
out=${BUILD_DIR:-build}
mkdir -p "$out/agentcore"
# lambda.norpc: the container runs magi serve, never the go1.x Lambda RPC
# mode, whose net/rpc would keep every SDK method in the binary.
GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -trimpath -tags lambda.norpc -ldflags='-s -w' \
	-o "$out/agentcore/magi" ./cmd/magi
echo "built $out/agentcore/magi; now: docker buildx build --platform linux/arm64 -f deploy/agentcore/Dockerfile -t magi-agentcore ."
