#!/usr/bin/env bash
# Make sure a Chromium is available for the browser test of the published site.
# Installs Debian's chromium when running as root with apt; otherwise the browser
# test skips with a message saying what is missing.
set -u
for b in chromium chromium-browser google-chrome; do
  if command -v "$b" >/dev/null 2>&1; then exit 0; fi
done
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's chromium for the browser test (apt-get)..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "note: could not install chromium; the browser test will be skipped."
else
  echo "note: no chromium found; the browser test will be skipped (install chromium to run it)."
fi
exit 0
