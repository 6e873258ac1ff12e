#!/usr/bin/env bash
# Synthesizes every example (each examples/<name>/ holding a cdk.json) with `npx cdk synth --quiet`,
# printing each example's name and time; stops with a non-zero status at the first failure.
# Examples are environment-agnostic, so no AWS credentials are needed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shopt -s nullglob
configs=("$root"/examples/*/cdk.json)
if [ "${#configs[@]}" -eq 0 ]; then
  echo "synth-examples: no examples/*/cdk.json found under $root" >&2
  exit 1
fi

for config in "${configs[@]}"; do
  dir="$(dirname "$config")"
  name="$(basename "$dir")"
  start=$SECONDS
  echo "==> $name"
  if ! (cd "$dir" && npx cdk synth --quiet); then
    echo "FAILED: example '$name' did not synthesize (after $((SECONDS - start))s)" >&2
    exit 1
  fi
  echo "ok   $name ($((SECONDS - start))s)"
done
echo "all ${#configs[@]} examples synthesized"
