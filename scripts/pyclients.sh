#!/usr/bin/env bash
# A Python environment with Confluent's own client (confluent-kafka and its
# AvroDeserializer, from PyPI): the "standard tool" a downstream consumer
# uses, so tests can prove our topics follow the usual Avro wire conventions.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.local/pyclients"
stamp="$venv/.installed-2.16.0"
if [[ ! -f "$stamp" ]]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "confluent-kafka[avro,schemaregistry]==2.16.0"
  touch "$stamp"
fi
echo "$venv/bin/python"
