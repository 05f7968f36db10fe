package migrate

// The generated migrations (GeneratedFiles: the record tables, the
// freshness view, ...) are rewritten from package schemas by `go generate
// ./...`, through their golden test:
//
//go:generate env UPDATE_GOLDEN=1 go test -run TestGeneratedMigrationsAreCommitted .
