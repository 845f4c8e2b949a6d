#!/usr/bin/env bash
# Installs the Debian packages the test suite uses: headless Chromium with its driver (survey
# tests), the PostgreSQL server binaries (store tests) and pdflatex with booktabs (the LaTeX
# tables compile in a test). Without root or apt-get (a laptop),
# it says what is missing and the tests that need it skip with a reason; CI sets
# PERSUASION_REQUIRE_SYSTEM_DEPS=1 so that a missing package fails the run instead.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v pdflatex >/dev/null 2>&1 || need+=(texlive-latex-recommended)

if [ ${#need[@]} -eq 0 ]; then
  echo "system packages: chromium, chromedriver, PostgreSQL and pdflatex are present"
  exit 0
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "system packages: installing ${need[*]} (apt-get update first)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  exit 0
fi

msg="system packages missing: ${need[*]}; install them with: sudo apt-get install ${need[*]}"
if [ "${PERSUASION_REQUIRE_SYSTEM_DEPS:-0}" = "1" ]; then
  echo "Error: $msg" >&2
  exit 1
fi
echo "Warning: $msg (the tests that need them will be skipped)" >&2
