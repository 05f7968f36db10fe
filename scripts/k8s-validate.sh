#!/usr/bin/env bash
# Validate the Kubernetes manifests: render every kustomization under
# deploy/k8s (the base and each overlay) with kustomize and check every
# object with kubeconform -strict against JSON schemas, offline:
#
#   Kubernetes kinds    PyPI kubernetes-validate wheel (its JSON schemas)
#   Strimzi KafkaTopic, Maven Central io.strimzi:api:<v>:tests jar, crds/v1/
#     KafkaUser         (the kafka.strimzi.io/v1 CRDs Strimzi's crd-generator
#                       emits; 1.x jars no longer carry them, and 1.0 only
#                       dropped v1beta2, so v1 objects validate the same)
#   KEDA ScaledObject,  Go module github.com/kedacore/keda/v2 (config/crd/bases)
#     TriggerAuthentication
#   ServiceMonitor,     Go module github.com/prometheus-operator/prometheus-operator
#     PrometheusRule    (example/prometheus-operator-crd)
#
# CRDs are converted to kubeconform's layout by deploy/tools/k8sschemas. Then
# deploy/tools/k8scheck checks what schemas cannot (pinned images, Kafka
# logins, scrape targets, alerts against docs/operations.md, settings
# against the topics, placeholders against deploy/k8s/README.md), and its
# tests evaluate the alerts on sample series.
# Nothing is fetched from GitHub. Tools and schemas are cached under .local/
# (a second run takes seconds). Any invalid object, any kind without a
# schema, or any failing step exits non-zero.
#
#   scripts/k8s-validate.sh            validate deploy/k8s/base and deploy/k8s/overlays/*
#   scripts/k8s-validate.sh FILE...    validate already rendered YAML files (no kustomize)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

KUBECONFORM_VERSION=v0.8.0
KUSTOMIZE_VERSION=v5.8.2          # v5.8.3 needs Go 1.27
KUBERNETES_VERSION=1.35.0         # schemas validated against (cluster version)
KUBERNETES_VALIDATE_VERSION=1.37.0  # PyPI wheel carrying schemas for 1.25..1.37
STRIMZI_VERSION=0.51.0           # the last io.strimzi:api tests jar with crds/v1
KEDA_VERSION=v2.21.0
PROMETHEUS_OPERATOR_VERSION=v0.85.0

LOCAL="$ROOT/.local"
BIN="$LOCAL/bin"
CACHE="$LOCAL/cache/k8s-validate"
say() { printf 'k8s-validate: %s\n' "$*"; }
die() { printf 'k8s-validate: ERROR: %s\n' "$*" >&2; exit 1; }
mkdir -p "$BIN" "$CACHE"

# go install a pinned tool into .local/bin unless that version is there.
tool() {
  local name=$1 pkg=$2 version=$3
  if [[ -x "$BIN/$name" && "$(cat "$BIN/.$name.version" 2>/dev/null)" == "$version" ]]; then
    return
  fi
  say "installing $name $version"
  GOBIN="$BIN" GOFLAGS=-buildvcs=false go install "$pkg@$version" || die "go install $pkg@$version failed"
  echo "$version" >"$BIN/.$name.version"
}

tool kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION"
tool kustomize sigs.k8s.io/kustomize/kustomize/v5 "$KUSTOMIZE_VERSION"

# --- schemas -------------------------------------------------------------
FINGERPRINT=$( { echo "$KUBERNETES_VERSION $KUBERNETES_VALIDATE_VERSION $STRIMZI_VERSION $KEDA_VERSION $PROMETHEUS_OPERATOR_VERSION";
                 cat deploy/tools/go.mod deploy/tools/k8sschemas/*.go; } | sha256sum | cut -c1-16)
SCHEMAS="$LOCAL/k8s-schemas/$FINGERPRINT"

if [[ ! -f "$SCHEMAS/.complete" ]]; then
  wheel="$CACHE/kubernetes_validate-$KUBERNETES_VALIDATE_VERSION-py3-none-any.whl"
  if [[ ! -f "$wheel" ]]; then
    say "downloading kubernetes-validate $KUBERNETES_VALIDATE_VERSION (PyPI)"
    PY=$(command -v python3 || command -v python) || die "python3 is needed to run pip download"
    "$PY" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
      "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" -d "$CACHE" || die "pip download kubernetes-validate failed"
    [[ -f "$wheel" ]] || die "pip did not produce $wheel"
  fi

  jar="$CACHE/api-$STRIMZI_VERSION-tests.jar"
  if [[ ! -f "$jar" ]]; then
    say "downloading io.strimzi:api:$STRIMZI_VERSION:tests (Maven Central)"
    command -v mvn >/dev/null || die "mvn is needed to fetch Strimzi's CRDs"
    mvn -q -B -Dstyle.color=never dependency:copy -Dartifact="io.strimzi:api:$STRIMZI_VERSION:jar:tests" \
      -DoutputDirectory="$CACHE" 2>&1 | sed -u 's/\x1b\[[0-9;]*m//g' || true
    [[ -f "$jar" ]] || die "could not fetch io.strimzi:api:$STRIMZI_VERSION:jar:tests"
  fi

  say "downloading github.com/kedacore/keda/v2@$KEDA_VERSION (Go module proxy)"
  # From deploy/tools, a module that does not require it: nothing is edited.
  keda_dir=$(cd deploy/tools && GOFLAGS=-mod=mod go mod download -json "github.com/kedacore/keda/v2@$KEDA_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [[ -d "$keda_dir/config/crd/bases" ]] || die "KEDA module has no config/crd/bases (got '$keda_dir')"

  say "downloading github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION (Go module proxy)"
  promop_dir=$(cd deploy/tools && GOFLAGS=-mod=mod go mod download -json "github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [[ -d "$promop_dir/example/prometheus-operator-crd" ]] || die "prometheus-operator module has no example/prometheus-operator-crd (got '$promop_dir')"

  say "laying out schemas in ${SCHEMAS#"$ROOT"/}"
  rm -rf "$SCHEMAS.tmp"
  (cd deploy/tools && go run ./k8sschemas -out "$SCHEMAS.tmp" \
      -wheel "$wheel" -kubernetes-version "$KUBERNETES_VERSION" \
      -crd "$jar!crds/v1/*.yaml" \
      -crd "$keda_dir/config/crd/bases/*.yaml" \
      -crd "$promop_dir/example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml" \
      -crd "$promop_dir/example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml") || die "k8sschemas failed"
  touch "$SCHEMAS.tmp/.complete"
  rm -rf "$SCHEMAS" && mv "$SCHEMAS.tmp" "$SCHEMAS"
  # Older layouts (other pinned versions) are dead weight.
  find "$LOCAL/k8s-schemas" -mindepth 1 -maxdepth 1 -type d ! -name "$FINGERPRINT" -exec rm -rf {} +
fi

# --- validate ------------------------------------------------------------
validate() { # FILE LABEL
  "$BIN/kubeconform" -strict -summary -output text \
    -kubernetes-version "$KUBERNETES_VERSION" \
    -schema-location "$SCHEMAS/{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    -schema-location "$SCHEMAS/crds/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json" \
    "$1" || { say "FAIL: $2"; return 1; }
}

status=0
if (($#)); then
  for f in "$@"; do validate "$f" "$f" || status=1; done
  exit $status
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rendered=()
for dir in deploy/k8s/base deploy/k8s/overlays/*/; do
  dir=${dir%/}
  out="$work/$(echo "$dir" | tr / _).yaml"
  if ! "$BIN/kustomize" build "$dir" >"$out"; then
    say "FAIL: kustomize build $dir"
    status=1
    continue
  fi
  [[ -s "$out" ]] || { say "FAIL: $dir rendered nothing"; status=1; continue; }
  printf '%s: ' "$dir"
  validate "$out" "$dir" || status=1
  rendered+=("$dir=$out")
done

# --- what schemas cannot check ---------------------------------------------
say "k8scheck: images, Kafka logins, scraping, alerts, settings, placeholders"
(cd deploy/tools && go run ./k8scheck -root "$ROOT" "${rendered[@]}") || { say "FAIL: k8scheck"; status=1; }
say "deploy/tools tests (the alerts evaluated on sample series)"
(cd deploy/tools && go test -count=1 ./...) || { say "FAIL: deploy/tools tests"; status=1; }

if ((status)); then
  die "invalid manifests (see above)"
fi
say "ok: every object of every overlay matches its schema (Kubernetes $KUBERNETES_VERSION, Strimzi $STRIMZI_VERSION, KEDA $KEDA_VERSION, Prometheus Operator $PROMETHEUS_OPERATOR_VERSION) and k8scheck passes"
