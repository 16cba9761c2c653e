#!/usr/bin/env bash
# Runs Tessera's whole test suite: unit tests, reference-set parity, and end-to-end tests that
# start real coordinator/worker processes on loopback.
#
# Tests run in release mode: the numerical parity cases and the image tests spend their time in
# tight loops that a debug build runs tens of times slower. `-enable-testing` keeps @testable
# imports working in release.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release -Xswiftc -enable-testing --build-tests
exec swift test -c release -Xswiftc -enable-testing --skip-build --disable-swift-testing "$@"
