#!/usr/bin/env bash
# Huawei's own IMS consumers (test/polyglot/sdks, test/polyglot/terraform): downloads and builds them into the
# caches that the tests use, so that the tests time the warm path. Everything goes outside the repository: Go's
# module and build caches, ~/.m2, pip's cache, and ${XDG_CACHE_HOME:-$HOME/.cache}/ims-contract (the Go SDK
# program, the Java program's classes, the Python venv, the provider binary). A machine that keeps them does
# each step in seconds. A step that fails is printed; its tests fail with the reason.
set -uo pipefail
cd "$(dirname "$0")/../.."
cache="${XDG_CACHE_HOME:-$HOME/.cache}/ims-contract"
mkdir -p "$cache/bin"
status=0

step() {
  local name=$1
  shift
  local started=$SECONDS
  if "$@"; then
    echo "--- huawei consumers: $name took $((SECONDS - started)) s"
  else
    echo "--- huawei consumers: $name FAILED after $((SECONDS - started)) s (its tests will say why)"
    status=1
  fi
}

missing() { ! command -v "$1" >/dev/null 2>&1; }

go_sdk() {
  (cd test/polyglot/sdks/go && go mod download && go build -trimpath -o "$cache/bin/huawei-go-sdk-flow" .)
}

java_sdk() {
  (cd test/polyglot/sdks/java &&
    mvn -q -B "-Dims.build.dir=$cache/java-sdk-flow" compile dependency:build-classpath \
      "-Dmdep.outputFile=$cache/java-sdk-flow/classpath.txt")
}

python_sdk() {
  local venv="$cache/venv-huawei-sdks"
  { [ -x "$venv/bin/python" ] || python3 -m venv "$venv"; } &&
    "$venv/bin/python" -m pip install -q --disable-pip-version-check -r test/polyglot/sdks/python/requirements.txt
}

# The provider's module, built as the test builds it (test/polyglot/terraform/provider, copied out of the repository
# so that go.sum stays out of it). A cold build compiles about 1.4 GB of Go build cache.
terraform_provider() {
  local source="$cache/terraform-provider/src"
  mkdir -p "$source" &&
    cp test/polyglot/terraform/provider/go.mod test/polyglot/terraform/provider/main.go "$source/" &&
    (cd "$source" && go build -mod=mod -trimpath -o "$cache/terraform-provider/bin/terraform-provider-huaweicloud" . 2>&1 | tail -n 3)
}

if missing go; then echo "--- huawei consumers: no Go toolchain"; status=1; else
  step "Go SDK (go mod download, go build)" go_sdk
fi
if missing mvn || missing java; then echo "--- huawei consumers: no Java or Maven"; status=1; else
  step "Java SDK (mvn compile, dependencies)" java_sdk
fi
if missing python3; then echo "--- huawei consumers: no Python 3"; status=1; else
  step "Python SDK (venv, pip install)" python_sdk
fi
if [ -n "${IMS_TERRAFORM_PROVIDER:-}" ]; then
  echo "--- huawei consumers: Terraform provider given: $IMS_TERRAFORM_PROVIDER"
elif ! missing go; then
  # The Go module proxy of this project's machines refuses the provider's module (403 "not available"): the
  # step fails in seconds, and the Terraform test skips with that reason.
  step "Terraform provider (go build from the module proxy)" terraform_provider
fi
# OpenTofu's CLI where the machine has no terraform, and only when there is a provider to run: about 620
# CPU-seconds and 1.5 GB of Go build cache cold (a 161 MB binary), from test/polyglot/terraform/tofu; the test
# finds it in the cache's bin/.
opentofu() {
  (cd test/polyglot/terraform/tofu && go build -trimpath -o "$cache/bin/tofu" github.com/opentofu/opentofu/cmd/tofu)
}
provider="${IMS_TERRAFORM_PROVIDER:-$cache/terraform-provider/bin/terraform-provider-huaweicloud}"
if [ -x "$provider" ] && missing terraform && missing tofu && [ ! -x "$cache/bin/tofu" ]; then
  if missing go; then echo "--- huawei consumers: neither terraform nor tofu, and no Go to build tofu"; status=1; else
    step "OpenTofu (go build, no terraform on this machine)" opentofu
  fi
fi
du -sh "$cache" 2>/dev/null | sed 's/^/--- huawei consumers: cache /'
exit "$status"
