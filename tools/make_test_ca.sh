#!/usr/bin/env bash
# Writes a throw-away test CA and a server certificate signed by it into DIR,
# for the loopback fixture server (tools/fixture_server.py --tls) and
# `rotguard archive --cacert DIR/ca.pem`. Generated at test time; private
# keys are never committed.
#
#   tools/make_test_ca.sh DIR
#
# DIR/ca.pem, DIR/ca.key          the CA (CA:TRUE, 2 days)
# DIR/server.pem, DIR/server.key  a server cert with SANs for the hosts the
#                                 tests and demo play: *.bp.blogspot.com,
#                                 bp.blogspot.com, ift.tt, example.com,
#                                 *.example.com, localhost, 127.0.0.1, ::1
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 1; }
dir=$1
mkdir -p "$dir"
cd "$dir"
umask 077

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -sha256 \
  -keyout ca.key -out ca.pem -subj "/CN=rotguard test CA" \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

cat > server.ext <<'EXT'
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:*.bp.blogspot.com,DNS:bp.blogspot.com,DNS:ift.tt,DNS:example.com,DNS:*.example.com,DNS:localhost,IP:127.0.0.1,IP:::1
EXT
openssl req -new -newkey rsa:2048 -nodes -sha256 \
  -keyout server.key -out server.csr -subj "/CN=localhost" 2>/dev/null
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
  -days 2 -sha256 -extfile server.ext -out server.pem 2>/dev/null
rm -f server.csr server.ext ca.srl
chmod 644 ca.pem server.pem
