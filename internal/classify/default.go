package classify

import (
	"bytes"
	_ "embed"
	"fmt"
	"sync"
)

// The default model, trained on the shared reference data (weights only).
// Rebuild it from the repository root with
//
//	go run ./cmd/pingan model train --corpus ../shared/data --out internal/classify/default.model
//
// or `go generate ./internal/classify`.
//
//go:generate go run ../../cmd/pingan model train --corpus ../../../shared/data --out default.model
//go:embed default.model
var defaultModel []byte

var loadDefault = sync.OnceValues(func() (*Model, error) {
	m, err := Load(bytes.NewReader(defaultModel))
	if err != nil {
		return nil, fmt.Errorf("embedded default model: %w", err)
	}
	m.Info.Version = DefaultVersion
	m.Info.Source = "embedded"
	return m, nil
})

// Default returns the model embedded in the binary, so suggestions work on
// a fresh installation. It is shared: do not modify it.
func Default() (*Model, error) { return loadDefault() }
