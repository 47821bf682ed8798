#!/usr/bin/env bash
# Node.js 24 and 22 (the LTS lines the package is tested on) from the npm registry's node-linux-<arch> packages,
# which ship the official binary: .ci/run runs the suite on 24 when the machine's own Node is older, and the
# consumer test installs the packed tarball under 22 as well. Kept in ~/.cache between runs on a kept machine.
# `.ci/node-versions` prints where each one is; this script only fills the cache.
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/node-versions

case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *) echo "no Node package for $(uname -m)"; exit 1 ;;
esac

for version in "$NODE_24" "$NODE_22"; do
  target="$(node_home "$version")"
  if [ -x "$target/bin/node" ]; then
    echo "node $version: $target (kept)"
    continue
  fi
  work="$(mktemp -d)"
  (cd "$work" && npm pack --silent "node-linux-$arch@$version" > /dev/null)
  mkdir -p "$target"
  tar -xzf "$work"/node-linux-"$arch"-"$version".tgz -C "$target" --strip-components=1
  rm -rf "$work"
  "$target/bin/node" --version > /dev/null
  echo "node $version: $target"
done
