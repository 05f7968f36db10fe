package schemas

// KindType is what a Kind is in each store: its name, the non-null branch
// of its Avro union (as the schema writes it and as goavro names it), and
// its ClickHouse column type. How a value of the kind is read, encoded,
// decoded and loaded is the codec's half of the same row
// (internal/records, kinds.go), indexed by the same Kind: schemas imports
// nothing of the pipeline, so the generators here can run on their own.
type KindType struct {
	Name       string // in errors and docs
	Avro       any    // the non-null branch of the field's ["null", T] union
	AvroBranch string // goavro's name of that branch: natives are {AvroBranch: v}
	ClickHouse string // the column type
	// FromJSON is the ClickHouse expression reading a value of the kind
	// out of JSON (the arguments of JSONExtract: the document and its
	// keys) as its column type, NULL when the JSON holds something else:
	// how child views read array elements from raw.
	FromJSON func(args string) string
}

var kindTypes = [...]KindType{
	String:  {Name: "string", Avro: "string", AvroBranch: "string", ClickHouse: "Nullable(String)", FromJSON: jsonExtract("Nullable(String)")},
	Int:     {Name: "int", Avro: "long", AvroBranch: "long", ClickHouse: "Nullable(Int64)", FromJSON: jsonExtract("Nullable(Int64)")},
	Float:   {Name: "float", Avro: "double", AvroBranch: "double", ClickHouse: "Nullable(Float64)", FromJSON: jsonExtract("Nullable(Float64)")},
	Bool:    {Name: "bool", Avro: "boolean", AvroBranch: "boolean", ClickHouse: "Nullable(Bool)", FromJSON: jsonExtract("Nullable(Bool)")},
	Decimal: {Name: "decimal", Avro: avroDecimal{Type: "bytes", LogicalType: "decimal", Precision: DecimalPrecision, Scale: DecimalScale}, AvroBranch: "bytes.decimal", ClickHouse: decimalColumn, FromJSON: jsonExtract(decimalColumn)},
	// Date32, not Date: Date stops at 2149 and starts at 1970, and birth
	// dates and loan ends fall outside.
	Date: {Name: "date", Avro: avroLogical{Type: "int", LogicalType: "date"}, AvroBranch: "int.date", ClickHouse: "Nullable(Date32)",
		// Belvo writes dates as YYYY-MM-DD, sometimes as a date-time: the
		// date part is the date, as for record fields.
		FromJSON: func(args string) string { return "toDate32OrNull(substring(JSONExtractString(" + args + "), 1, 10))" }},
	Timestamp: {Name: "timestamp", Avro: avroTimestamp(), AvroBranch: "long.timestamp-micros", ClickHouse: "Nullable(DateTime64(6, 'UTC'))",
		FromJSON: func(args string) string {
			return "parseDateTime64BestEffortOrNull(nullIf(JSONExtractString(" + args + "), ''), 6, 'UTC')"
		}},
	Enum: {Name: "enum", Avro: "string", AvroBranch: "string", ClickHouse: "LowCardinality(Nullable(String))",
		FromJSON: func(args string) string { return "toLowCardinality(JSONExtract(" + args + ", 'Nullable(String)'))" }},
}

// jsonExtract is FromJSON for a type JSONExtract reads as it is.
func jsonExtract(typ string) func(args string) string {
	return func(args string) string { return "JSONExtract(" + args + ", " + quoteString(typ) + ")" }
}

// Kinds returns every Kind, in value order.
func Kinds() []Kind {
	out := make([]Kind, len(kindTypes))
	for i := range out {
		out[i] = Kind(i)
	}
	return out
}

// Type returns the kind's row; an unknown kind has only the name "unknown"
// (Resource.Validate refuses it).
func (k Kind) Type() KindType {
	if int(k) < len(kindTypes) {
		return kindTypes[k]
	}
	return KindType{Name: "unknown"}
}

// String names the kind in errors and docs.
func (k Kind) String() string { return k.Type().Name }

// AvroBranch is the name goavro gives the non-null branch of a typed field's
// union. A native value is map[string]any{k.AvroBranch(): v}; a bare value is
// refused by goavro, so converters must use this form.
func (k Kind) AvroBranch() string { return k.Type().AvroBranch }

// ClickHouseType is the column type of a typed field of this kind.
func (k Kind) ClickHouseType() string { return k.Type().ClickHouse }
