# The README's commands. `make test` is what CI runs.
.PHONY: run install build test bench lambda

# Release builds: no build paths (-trimpath), no symbol table or DWARF
# (-s -w), and without aws-lambda-go's net/rpc mode for the retired go1.x
# Lambda runtime (lambda.norpc), whose reflection keeps every SDK method in
# the binary: 52 MB instead of 120 MB (docs/BENCHMARKS.md, binary size).
RELEASE = -trimpath -tags lambda.norpc -ldflags='-s -w'

run:
	go run ./cmd/magi serve

# magi on the PATH: into $(go env GOBIN), or $(go env GOPATH)/bin.
install:
	go install $(RELEASE) ./cmd/magi

build:
	go build $(RELEASE) -o build/magi ./cmd/magi

test:
	go test -race -timeout 30m ./...

bench:
	go run ./cmd/magi-bench

lambda:
	./deploy/build-lambda.sh
