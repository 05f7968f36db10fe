#!/usr/bin/env bash
# Builds the peer the benchmarks compare against, Bento, once into
# .local/bin/bento and prints its path. Only the components the benchmarks
# use are linked (http_server, kafka_franz and the pure processors): the full
# distribution pulls in every cloud SDK and takes many minutes on 2 cores.
# The module lives under the git-ignored .local/ so its dependencies never
# enter this repository's go.mod.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
BENTO_VERSION=${BENTO_VERSION:-v1.2.0}
bin="$root/.local/bin/bento-$BENTO_VERSION"
if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi
src="$root/.local/bento-$BENTO_VERSION"
mkdir -p "$src" "$root/.local/bin"
cd "$src"
cat >main.go <<'EOF'
// Command bento is Bento with only the components the benchmarks use.
package main

import (
	"context"

	_ "github.com/warpstreamlabs/bento/public/components/io"
	_ "github.com/warpstreamlabs/bento/public/components/kafka"
	_ "github.com/warpstreamlabs/bento/public/components/pure"
	"github.com/warpstreamlabs/bento/public/service"
)

func main() { service.RunCLI(context.Background()) }
EOF
[ -f go.mod ] || go mod init benchpeer/bento >&2
go get "github.com/warpstreamlabs/bento@$BENTO_VERSION" >&2
go mod tidy >&2
nice -n 10 go build -trimpath -o "$bin.tmp" . >&2
mv "$bin.tmp" "$bin"
echo "$bin"
