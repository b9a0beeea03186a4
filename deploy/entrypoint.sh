#!/bin/sh
# Secrets arrive as files: each /run/secrets/IMPACTOOST_<NAME> (compose `secrets:` with that
# target) becomes the setting IMPACTOOST_<NAME> for this process only, never an image layer.
set -eu
for secret in /run/secrets/IMPACTOOST_*; do
  [ -s "$secret" ] || continue  # an empty file (say, no SMTP login) sets nothing
  value=$(cat "$secret")
  export "$(basename "$secret")=$value"
done
exec impactoost "$@"
