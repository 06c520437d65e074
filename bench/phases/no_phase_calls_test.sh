#!/usr/bin/env bash
# The plain `detectors` library must keep DETECTORS_PHASE a no-op: none of its objects may
# reference the phase recorder (detectors::internal::enter_phase), or every binary linking it
# would need the recorder and pay for the marks. Only `detectors_phased` may call it.
# Usage: no_phase_calls_test.sh LIBDETECTORS_A
set -euo pipefail
lib=$1
# Read the symbols first: a failing nm must fail the test, not look like "no reference".
symbols=$(nm -C "$lib")
if grep -n "detectors::internal::enter_phase" <<<"$symbols"; then
  echo "FAIL: $lib references the phase recorder (DETECTORS_PHASE must be a no-op here)"
  exit 1
fi
echo "ok: $lib has no reference to detectors::internal::enter_phase"
