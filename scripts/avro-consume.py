"""Read a topic the way a downstream team would: confluent-kafka's Consumer
and AvroDeserializer against the schema registry. Prints one JSON object per
record (key, decoded value) and exits after --count records or --timeout.

usage: avro-consume.py --brokers B --registry URL --topic T --count N [--timeout S]
"""
import argparse
import json
import sys
import time

from confluent_kafka import Consumer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--brokers", required=True)
    ap.add_argument("--registry", required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--timeout", type=float, default=60)
    a = ap.parse_args()
    deser = AvroDeserializer(SchemaRegistryClient({"url": a.registry}))
    c = Consumer({"bootstrap.servers": a.brokers, "group.id": "pycheck-" + a.topic,
                  "auto.offset.reset": "earliest", "enable.auto.commit": False})
    c.subscribe([a.topic])
    got, deadline = 0, time.time() + a.timeout
    try:
        while got < a.count and time.time() < deadline:
            m = c.poll(0.5)
            if m is None:
                continue
            if m.error():
                print(f"consumer error: {m.error()}", file=sys.stderr)
                continue
            v = deser(m.value(), SerializationContext(m.topic(), MessageField.VALUE))
            print(json.dumps({"key": m.key().decode() if m.key() else None, "value": v}, default=str), flush=True)
            got += 1
    finally:
        c.close()
    return 0 if got >= a.count else 1


if __name__ == "__main__":
    sys.exit(main())
