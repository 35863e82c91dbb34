#!/usr/bin/env bash
# Freshet's test command (`npm test`): type check, layering check, lint, then every tests/**/*.test.ts with node:test.
#
# Environment:
#   FRESHET_TEST_FILTER=<substring>  run only test files whose path contains the substring (checks still run)
#   FRESHET_UPDATE_GOLDENS=1         passed through to the tests: rewrite golden files instead of comparing
#   FRESHET_SERVICES=1               start local services (scripts/services.sh) before the tests, stop them after
#
# Output: humans read the spec reporter on stdout; the counts come from a TAP copy of the same run. The last line is
# always `N passed, N failed` (`, N skipped` when any were skipped). A failed check step (lint, layering) counts as
# one failed test in that line so that it can never read as a clean run. The type check fails fast: when it fails
# no tests run. Exit status is non-zero when anything failed.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

failed_steps=()
tmpdir="$(mktemp -d "${TMPDIR:-/tmp}/freshet-test.XXXXXX")"
services_started=0

stop_services() {
  if [[ "$services_started" == 1 ]]; then
    services_started=0
    # Output goes to a log so nothing is printed after the summary line.
    bash scripts/services.sh stop >"$tmpdir/services-stop.log" 2>&1 || echo "warning: scripts/services.sh stop failed (see $tmpdir/services-stop.log)" >&2
  fi
}
cleanup() {
  stop_services
  rm -rf "$tmpdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

summary() { # passed failed skipped
  local line="$1 passed, $2 failed"
  if [[ "$3" -gt 0 ]]; then line+=", $3 skipped"; fi
  echo "$line"
}

step() { echo; echo "== $*"; }

# 1. Type check (fail fast: tests of code that does not type-check tell nothing).
step "type check (tsc --noEmit)"
if ! npx --no-install tsc -p tsconfig.json --noEmit; then
  echo "type check failed; tests not run"
  summary 0 1 0
  exit 1
fi

# 2. Layering.
step "layering (scripts/check-layers.mjs)"
node scripts/check-layers.mjs || failed_steps+=("layering")

# 3. Lint. Only folders that exist, so an empty bench/ or tests/ is not an error.
step "lint (eslint)"
lint_dirs=()
for d in src tests bench; do [[ -d "$d" ]] && lint_dirs+=("$d"); done
if [[ ${#lint_dirs[@]} -gt 0 ]]; then
  npx --no-install eslint --no-error-on-unmatched-pattern "${lint_dirs[@]}" && echo "lint ok" || failed_steps+=("lint")
fi

# 4. Services hook ------------------------------------------------------------------------------------------------
# Integration suites that need local services (today Kafka; later Redis, PostgreSQL) run when FRESHET_SERVICES=1:
# scripts/services.sh start starts them and returns once they accept connections. Only the services this run
# started are stopped at the end (a developer's already running broker is left alone). Without FRESHET_SERVICES=1
# the suites still run against services that happen to be up, and skip with a stated reason otherwise.
if [[ "${FRESHET_SERVICES:-0}" == 1 ]]; then
  step "services (scripts/services.sh start)"
  export FRESHET_SERVICES_STARTED_FILE="$tmpdir/services-started"
  if bash scripts/services.sh start; then
    services_started=1
  else
    services_started=1 # stop whatever did start
    failed_steps+=("services")
  fi
fi
# -----------------------------------------------------------------------------------------------------------------

# 5. Tests. Node 20's --test takes no globs, so list the files here.
step "tests (node:test)"
mapfile -t files < <(find tests -type f -name '*.test.ts' -not -path '*/node_modules/*' 2>/dev/null | LC_ALL=C sort)
if [[ -n "${FRESHET_TEST_FILTER:-}" ]]; then
  selected=()
  for f in "${files[@]}"; do [[ "$f" == *"$FRESHET_TEST_FILTER"* ]] && selected+=("$f"); done
  files=("${selected[@]+"${selected[@]}"}")
  echo "FRESHET_TEST_FILTER='$FRESHET_TEST_FILTER' selects ${#files[@]} file(s)"
  if [[ ${#files[@]} -eq 0 ]]; then
    failed_steps+=("filter matched no test file")
  fi
fi

passed=0; failed=0; skipped=0
if [[ ${#files[@]} -gt 0 ]]; then
  tap="$tmpdir/results.tap"
  node --import tsx --test --test-concurrency=2 \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$tap" \
    "${files[@]}"
  node_rc=$?
  # The run's totals are the last unindented `# pass N` etc. lines of the TAP stream.
  count() { { grep -E "^# $1 [0-9]+$" "$tap" 2>/dev/null || true; } | tail -n 1 | awk '{print $3}'; }
  passed="$(count pass)"; failed="$(count fail)"; cancelled="$(count cancelled)"; skipped="$(count skipped)"
  todo="$(count todo)"
  if [[ -z "$passed" || -z "$failed" ]]; then
    echo "test runner ended without a summary (exit $node_rc)"
    passed="${passed:-0}"; failed="${failed:-0}"
    failed_steps+=("test runner")
  fi
  failed=$((failed + ${cancelled:-0}))
  skipped=$((${skipped:-0} + ${todo:-0}))
  if [[ "$node_rc" -ne 0 && "$failed" -eq 0 ]]; then
    failed_steps+=("test runner exit $node_rc")
  fi
else
  echo "no test files found"
fi

stop_services

echo
if [[ ${#failed_steps[@]} -gt 0 ]]; then
  echo "failed steps: $(IFS=,; echo "${failed_steps[*]}" | sed 's/,/, /g')"
  failed=$((failed + ${#failed_steps[@]}))
fi
summary "$passed" "$failed" "$skipped"
[[ "$failed" -eq 0 ]]
