// Builds Huawei's Terraform provider from its Go module. Its own go.mod has replace lines, which `go install
// module@version` refuses; a main module that requires it and repeats them builds it with `go build` instead.
module imscontract/polyglot/terraform/provider

go 1.24.0

require (
	github.com/hashicorp/terraform-plugin-sdk/v2 v2.39.0
	github.com/huaweicloud/terraform-provider-huaweicloud v1.97.1
)

// The provider's own replace lines at v1.97.1 (a dependency's replacements do not apply to the main module).
replace golang.org/x/crypto => golang.org/x/crypto v0.48.0

replace github.com/go-git/go-git/v5 => github.com/go-git/go-git/v5 v5.18.0
