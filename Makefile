# The README's commands. `make test` is what CI runs.
.PHONY: run test bench lambda

run:
	go run ./cmd/magi serve

test:
	go test -race -timeout 30m ./...

bench:
	go run ./cmd/magi-bench

lambda:
	./deploy/build-lambda.sh
