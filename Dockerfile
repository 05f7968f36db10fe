# syntax=docker/dockerfile:1.7
#
# One image for every role of the pipeline: the Deployment's args pick the
# subcommand (ingest, fetcher, sink, migrate, ...).
#
#   docker build -t belvo-pipeline:$(git describe --tags --always --dirty) \
#     --build-arg VERSION=$(git describe --tags --always --dirty) \
#     --build-arg REVISION=$(git rev-parse HEAD) .
#   docker run --rm belvo-pipeline:<version> --version
#   docker run --rm belvo-pipeline:<version> ingest --help
#
# VERSION and REVISION are stamped into the binary (belvo-pipeline --version,
# the belvo_build_info metric) and the image labels: the build context has
# no .git, so they come from the command line, as `make build` computes them.
#
# The binary is static (CGO_ENABLED=0): the final stage is distroless
# "static", which has CA certificates (the fetcher calls Belvo over TLS),
# tzdata and /etc/passwd with the nonroot user (65532), and no shell.

ARG GO_VERSION=1.26

FROM golang:${GO_VERSION} AS build
WORKDIR /src
ENV CGO_ENABLED=0 \
    GOFLAGS=-buildvcs=false
# Dependencies first, so a source change does not download them again.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY . .
ARG TARGETOS=linux
ARG TARGETARCH=amd64
ARG VERSION=dev
ARG REVISION=unknown
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    GOOS=${TARGETOS} GOARCH=${TARGETARCH} \
    go build -trimpath -ldflags "-s -w -X main.version=${VERSION} -X main.revision=${REVISION}" \
      -o /out/belvo-pipeline ./cmd/belvo-pipeline

FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="belvo-pipeline" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
COPY --from=build /out/belvo-pipeline /usr/local/bin/belvo-pipeline
# nonroot:nonroot, numeric so that runAsNonRoot can verify it.
USER 65532:65532
# ingest (INGEST_ADDR), fetcher admin (FETCHER_ADMIN_ADDR), sink admin (SINK_ADMIN_ADDR)
EXPOSE 8080 9101 9102
ENTRYPOINT ["/usr/local/bin/belvo-pipeline"]
