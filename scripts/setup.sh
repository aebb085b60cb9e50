#!/usr/bin/env bash
# Installs what building and testing passend needs. Idempotent; safe to run on a fresh machine.
# Today: the Rust components for formatting and linting. (Browser and SMTP test servers come
# with the issues that need them; they are installed here, never by hand.)
set -euo pipefail
if ! cargo fmt --version >/dev/null 2>&1; then rustup component add rustfmt; fi
if ! cargo clippy --version >/dev/null 2>&1; then rustup component add clippy; fi
# Headless Chromium + chromedriver for the web UI browser tests (tests/web_browser.rs).
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  SUDO=""; if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium chromium-driver
fi
