#!/usr/bin/env bash
# The client generators of test/polyglot/generators/ and what their clients build with: a Python venv (openapi-
# generator-cli with its bundled jar, openapi-python-client, Schemathesis, mypy and the generated clients' libraries)
# in a cache folder outside the repository, the Go module (oapi-codegen as a go tool, the clients' dependencies) and
# the Java client's Maven dependencies. A kept machine reuses all three; each step prints how long it took.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=test/polyglot/generators
cache="${XDG_CACHE_HOME:-$HOME/.cache}/ims-contract"
venv="$cache/generators-venv"
started=$SECONDS

step() { echo "25-generators: $1 ($((SECONDS - started)) s so far)"; }

for tool in python3 java go mvn; do
  command -v "$tool" >/dev/null || { echo "25-generators: no $tool on this machine" >&2; exit 1; }
done

# The venv is rebuilt when requirements.txt changes (its hash is kept beside it).
wanted=$(sha256sum "$here/python/requirements.txt" | cut -c1-16)
if [ "$(cat "$venv/.requirements" 2>/dev/null)" != "$wanted" ]; then
  rm -rf "$venv"
  mkdir -p "$cache"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/python/requirements.txt"
  echo "$wanted" > "$venv/.requirements"
fi
"$venv/bin/openapi-generator-cli" version >/dev/null
step "python venv ready at $venv"

(cd "$here/go" && go mod download && go tool oapi-codegen -version >/dev/null)
step "go modules and oapi-codegen ready"

mvn --batch-mode --quiet -f "$here/java/pom.xml" dependency:go-offline >/dev/null
step "maven dependencies of the java client ready"
