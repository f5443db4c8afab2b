#!/usr/bin/env bash
# The container's health probe: GET a path of the platform on this container's HTTP port and succeed only on 200.
# The aspnet runtime image has neither curl nor wget, and installing one adds a package (and its CVEs) for a single
# request; bash can open a TCP connection itself (/dev/tcp), so one plain HTTP/1.1 request is all it takes.
# Usage: healthcheck PATH        (e.g. /healthz/live; the port is ASPNETCORE_HTTP_PORTS, 8080 in the image)
set -euo pipefail
path="${1:-/healthz/live}"
port="${ASPNETCORE_HTTP_PORTS:-8080}"
port="${port%%[,;]*}" # the first port when several are listed
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$path" >&3
IFS=' ' read -r _ status _ <&3 # the status line: HTTP/1.1 200 OK
[[ "${status%$'\r'}" == 200 ]]
