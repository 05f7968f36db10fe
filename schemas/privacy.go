package schemas

// Protection is what the fetcher does, with PRIVACY_MODE=protect, to the
// personal data at a path of a record before anything is published
// (internal/privacy applies it, docs/privacy.md explains it).
type Protection uint8

const (
	// Hash replaces the value by a keyed hash, "<key id>:<hex>"
	// (HMAC-SHA-256): equal values give equal hashes, so counts, joins and
	// GROUP BY on the column still work, but the value cannot be read back
	// without the key. For identifiers analysts join or count on.
	Hash Protection = iota + 1
	// Drop replaces the value by null. For free text, addresses, dates of
	// birth and documents (PDF, XML) nobody analyses and that carry
	// everything at once, and for any path whose typed column is not a
	// string (a hash is no date).
	Drop
)

// PrivacyRule protects one dotted JSON path of a resource's records. Arrays
// on the path are crossed: "emails.email" is the email of every element of
// emails. A hashed object or array has each string and number inside it
// hashed.
type PrivacyRule struct {
	Path    string
	Protect Protection
}

// Privacy is the default policy, by resource name: Belvo's document
// numbers (CPF, CNPJ of persons, RFC, CURP, NSS), names, e-mails, phones,
// addresses and account numbers, found in the OpenAPI components and
// examples the resources are typed from (a test checks every path exists
// there). PRIVACY_RULES overrides it per path. Companies' own identifiers
// (employer CNPJ, issuers, ISINs) are not personal data and are kept;
// invoice and retention parties are hashed because either may be a person
// (a 13-character RFC).
var Privacy = map[string][]PrivacyRule{
	"accounts": {
		{Path: "number", Protect: Hash},
		{Path: "public_identification_value", Protect: Hash}, // agency/number
		{Path: "loan_data.contract_number", Protect: Hash},
		{Path: "credit_data.cards.identification_number", Protect: Hash}, // a card's last digits
		{Path: "credit_data.limits.identification_number", Protect: Hash},
	},
	"bills": {
		{Path: "account.number", Protect: Hash},
		{Path: "account.public_identification_value", Protect: Hash},
		{Path: "account.loan_data.contract_number", Protect: Hash},
		{Path: "account.credit_data.cards.identification_number", Protect: Hash},
		{Path: "account.credit_data.limits.identification_number", Protect: Hash},
	},
	"current_employments": {
		// Belvo's examples of employment data carry the person's CURP here.
		{Path: "internal_identification", Protect: Hash},
		{Path: "personal_data.official_name", Protect: Hash},
		{Path: "personal_data.first_name", Protect: Hash},
		{Path: "personal_data.last_name", Protect: Hash},
		{Path: "personal_data.birth_date", Protect: Drop},
		{Path: "personal_data.document_ids.document_number", Protect: Hash},
	},
	"employment_records": {
		{Path: "internal_identification", Protect: Hash}, // the CURP in Belvo's example
		{Path: "personal_data.birth_date", Protect: Drop},
		{Path: "personal_data.official_name", Protect: Hash},
		{Path: "personal_data.first_name", Protect: Hash},
		{Path: "personal_data.last_name", Protect: Hash},
		{Path: "personal_data.email", Protect: Hash},
		{Path: "personal_data.document_ids.document_number", Protect: Hash},
		{Path: "files", Protect: Drop}, // the IMSS report itself (PDF)
	},
	"investment_transactions": {
		// Each carries its investment, debtor included.
		{Path: "investment.debtor_details.name", Protect: Hash},
		{Path: "investment.debtor_details.id_document_number", Protect: Hash},
	},
	"investments": {
		{Path: "debtor_details.name", Protect: Hash},
		{Path: "debtor_details.id_document_number", Protect: Hash},
	},
	"invoices": {
		{Path: "sender_id", Protect: Hash},
		{Path: "sender_name", Protect: Hash},
		{Path: "receiver_id", Protect: Hash},
		{Path: "receiver_name", Protect: Hash},
		{Path: "xml", Protect: Drop}, // the CFDI: every party in plain text
	},
	"owners": {
		{Path: "display_name", Protect: Hash},
		{Path: "social_name", Protect: Hash},
		{Path: "first_name", Protect: Hash},
		{Path: "last_name", Protect: Hash},
		{Path: "second_last_name", Protect: Hash},
		{Path: "birth_date", Protect: Drop},
		{Path: "document_id.document_number", Protect: Hash},
		{Path: "additional_documents.number", Protect: Hash},
		{Path: "nationalities.documents.number", Protect: Hash},
		{Path: "email", Protect: Hash},
		{Path: "emails.email", Protect: Hash},
		{Path: "phone_number", Protect: Hash},
		{Path: "phone_numbers.number", Protect: Hash},
		{Path: "address", Protect: Drop},
		{Path: "addresses.address", Protect: Drop},
		{Path: "addresses.additional_info", Protect: Drop},
		{Path: "addresses.postcode", Protect: Drop},
		{Path: "addresses.latitude", Protect: Drop},
		{Path: "addresses.longitude", Protect: Drop},
		{Path: "filiations.civil_name", Protect: Hash},
		{Path: "filiations.social_name", Protect: Hash},
		{Path: "financial_relation.procurators.civil_name", Protect: Hash},
		{Path: "financial_relation.procurators.social_name", Protect: Hash},
		{Path: "financial_relation.procurators.document_number", Protect: Hash},
		{Path: "financial_relation.products.number", Protect: Hash},
		{Path: "financial_relation.product_services_additional_info", Protect: Drop}, // free text naming people
	},
	"recurring_expenses": {
		{Path: "account.number", Protect: Hash},
		{Path: "account.public_identification_value", Protect: Hash},
		{Path: "account.loan_data.contract_number", Protect: Hash},
		{Path: "account.credit_data.cards.identification_number", Protect: Hash},
		{Path: "account.credit_data.limits.identification_number", Protect: Hash},
	},
	"tax_compliance_status": {
		{Path: "rfc", Protect: Hash},
		{Path: "pdf", Protect: Drop},
	},
	"tax_retentions": {
		{Path: "sender_id", Protect: Hash},
		{Path: "sender_name", Protect: Hash},
		{Path: "receiver_id", Protect: Hash},
		{Path: "receiver_name", Protect: Hash},
		{Path: "xml", Protect: Drop},
	},
	"tax_returns": {
		{Path: "informacion_general.rfc", Protect: Hash},
		{Path: "informacion_general.nombre", Protect: Hash},
		{Path: "sueldos_salarios.retenedores.rfc_retenedor", Protect: Hash},
		{Path: "deducciones_personales.honorarios_medicos_dentales_hospitalarios.rfc_emisor", Protect: Hash},
		{Path: "deducciones_personales.donativos.rfc_emisor", Protect: Hash},
		{Path: "deducciones_personales.aportaciones_voluntarias_complementarias_al_sar.rfc_emisor", Protect: Hash},
		{Path: "deducciones_personales.primas_por_seguros_de_gasto_medico.rfc_emisor", Protect: Hash},
		{Path: "determinacion_impuesto.num_clabe", Protect: Hash},
		{Path: "retenciones.sueldos_salarios.rfc_retenedor", Protect: Hash},
		{Path: "retenciones.servicios_profesionales.rfc_retenedor", Protect: Hash},
		{Path: "pdf", Protect: Drop},
		{Path: "receipt_pdf", Protect: Drop},
	},
	"tax_status": {
		{Path: "official_name", Protect: Hash},
		{Path: "id_cif", Protect: Hash},
		{Path: "tax_payer_information.rfc", Protect: Hash},
		{Path: "tax_payer_information.curp", Protect: Hash},
		{Path: "tax_payer_information.name", Protect: Hash},
		{Path: "tax_payer_information.first_last_name", Protect: Hash},
		{Path: "tax_payer_information.second_last_name", Protect: Hash},
		{Path: "tax_payer_information.commercial_name", Protect: Hash},
		{Path: "tax_payer_information.email", Protect: Hash},
		{Path: "tax_payer_information.phone", Protect: Hash},
		{Path: "address.street", Protect: Drop},
		{Path: "address.exterior_number", Protect: Drop},
		{Path: "address.interior_number", Protect: Drop},
		{Path: "address.between_street", Protect: Drop},
		// The stamp's chain holds the RFC, the PDF everything.
		{Path: "digital_stamp", Protect: Drop},
		{Path: "digital_stamp_chain", Protect: Drop},
		{Path: "pdf", Protect: Drop},
	},
	"transactions": {
		{Path: "account.number", Protect: Hash},
		{Path: "account.public_identification_value", Protect: Hash},
		{Path: "account.loan_data.contract_number", Protect: Hash},
		{Path: "account.credit_data.cards.identification_number", Protect: Hash},
		{Path: "account.credit_data.limits.identification_number", Protect: Hash},
		{Path: "counterparty.document_number", Protect: Hash},
		{Path: "counterparty.number", Protect: Hash},
		{Path: "credit_card_data.card_number", Protect: Hash},
	},
}
