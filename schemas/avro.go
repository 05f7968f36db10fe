package schemas

import (
	"encoding/json"
	"strings"
)

// The committed .avsc files under avro/ are rewritten from Tables() by:
//
//go:generate env UPDATE_GOLDEN=1 go test -run TestGolden .

// AvroNamespace is the namespace of every resource record schema.
const AvroNamespace = "com.finflow.belvo.records"

// Fields every resource record carries besides its typed fields, in schema
// order: id and link_id first (the ClickHouse sort key), then deleted, the
// typed fields, raw, the lineage and the unfit fields.
const (
	FieldID        = "id"
	FieldLinkID    = "link_id"
	FieldDeleted   = "deleted"
	FieldRaw       = "raw"
	FieldWebhookID = "webhook_id"
	FieldRequestID = "request_id"
	FieldFetchedAt = "fetched_at"
	// FieldUnfit lists the typed fields whose value Belvo sent but their
	// column cannot hold (a money value with more than DecimalScale
	// decimals, a date outside 1900..2299, text where a number belongs):
	// they are null, the record is kept, and raw holds the exact value.
	FieldUnfit = "unfit_fields"
)

type avroRecord struct {
	Type      string      `json:"type"`
	Name      string      `json:"name"`
	Namespace string      `json:"namespace"`
	Doc       string      `json:"doc"`
	Fields    []avroField `json:"fields"`
}

type avroField struct {
	Name    string          `json:"name"`
	Doc     string          `json:"doc,omitempty"`
	Type    any             `json:"type"`
	Default json.RawMessage `json:"default,omitempty"`
}

type avroArray struct {
	Type  string `json:"type"`
	Items string `json:"items"`
}

type avroLogical struct {
	Type        string `json:"type"`
	LogicalType string `json:"logicalType"`
}

type avroDecimal struct {
	Type        string `json:"type"`
	LogicalType string `json:"logicalType"`
	Precision   int    `json:"precision"`
	Scale       int    `json:"scale"`
}

func avroTimestamp() avroLogical { return avroLogical{Type: "long", LogicalType: "timestamp-micros"} }

// AvroName is the record name of the resource's schema: its Name in
// PascalCase (tax_returns → TaxReturns).
func (r Resource) AvroName() string {
	var b strings.Builder
	for _, part := range strings.Split(r.Name, "_") {
		if part == "" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]))
		b.WriteString(part[1:])
	}
	return b.String()
}

// AvroSchema returns the Avro schema of the resource's Kafka records as
// indented JSON. Typed fields are all nullable with default null: Belvo
// leaves most of them null in some shape, and a deletion carries none.
func (r Resource) AvroSchema() string {
	null := json.RawMessage("null")
	nullableString := []any{"null", "string"}
	fields := []avroField{
		{Name: FieldID, Doc: "Belvo's id of the record, or its Key values joined when Belvo sends none.", Type: "string"},
		{Name: FieldLinkID, Doc: "Belvo link the record was fetched for.", Type: "string"},
		{Name: FieldDeleted, Doc: "True for a deletion fact (e.g. transactions_deleted): typed fields and raw are then null.", Type: "boolean", Default: json.RawMessage("false")},
	}
	for _, f := range r.Fields {
		fields = append(fields, avroField{
			Name:    f.Name,
			Doc:     "Belvo " + f.Path() + " (" + f.Kind.String() + ")",
			Type:    []any{"null", f.Kind.Type().Avro},
			Default: null,
		})
	}
	fields = append(fields,
		avroField{Name: FieldRaw, Doc: "The record's JSON exactly as Belvo sent it; null on a deletion.", Type: nullableString, Default: null},
		avroField{Name: FieldWebhookID, Doc: "Webhook that led to the fetch.", Type: nullableString, Default: null},
		avroField{Name: FieldRequestID, Doc: "Belvo request_id of the async request that produced the data.", Type: nullableString, Default: null},
		avroField{Name: FieldFetchedAt, Doc: "When the pipeline fetched the record (or learnt of its deletion).", Type: avroTimestamp()},
		// Last, and nullable with default null: added after the first
		// release, so readers of either version read both.
		avroField{Name: FieldUnfit, Doc: "Typed fields whose value their type cannot hold: null here, exact in raw. Null when there is none.",
			Type: []any{"null", avroArray{Type: "array", Items: "string"}}, Default: null},
	)
	out, err := json.MarshalIndent(avroRecord{
		Type:      "record",
		Name:      r.AvroName(),
		Namespace: AvroNamespace,
		Doc:       "Belvo " + r.Path + " record (" + r.Component + ", OpenAPI " + r.Spec + ").",
		Fields:    fields,
	}, "", "  ")
	if err != nil {
		// Only fixed, JSON-safe types are marshalled above.
		panic("schemas: marshal Avro schema: " + err.Error())
	}
	return string(out)
}
