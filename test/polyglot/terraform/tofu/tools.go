// Keeps cmd/tofu in the build list, so that `go mod tidy` keeps its requirements.
//go:build tools

package tools

import _ "github.com/opentofu/opentofu/cmd/tofu"
