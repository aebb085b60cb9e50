#!/usr/bin/env bash
# Installs what building and testing passend needs. Idempotent; safe to run on a fresh machine.
# Today: the Rust components for formatting and linting. (Browser and SMTP test servers come
# with the issues that need them; they are installed here, never by hand.)
set -euo pipefail
if ! cargo fmt --version >/dev/null 2>&1; then rustup component add rustfmt; fi
if ! cargo clippy --version >/dev/null 2>&1; then rustup component add clippy; fi
