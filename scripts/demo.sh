#!/usr/bin/env bash
# `make demo`: build the module for Lua 5.4, start a private Prosody 0.12 on
# 127.0.0.1 with the project's test token provider, log in over BOSH and
# WebSocket with tokens the module minted (and tampered, expired, foreign
# ones), say what happened, and stop Prosody. See scripts/demo.py.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh lua54
exec .venv/bin/python scripts/demo.py
