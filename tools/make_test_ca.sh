#!/usr/bin/env bash
# Writes a throw-away test CA and a server certificate signed by it into DIR,
# for the loopback fixture web (tools/fixture-web, tools/fixture_server.py)
# and `rotguard archive --cacert DIR/ca.pem`. Generated at test time; private
# keys are never committed.
#
#   tools/make_test_ca.sh DIR [SUBJECT-ALT-NAMES]
#
# DIR/ca.pem, DIR/ca.key          the CA (CA:TRUE, 2 days)
# DIR/server.pem, DIR/server.key  a server cert; by default its SANs cover
#                                 every host the fixture web plays (but not
#                                 badcert.example.org, which gets a cert from
#                                 a second CA) plus localhost and 127.0.0.1;
#                                 SUBJECT-ALT-NAMES ("DNS:a,DNS:b,IP:...")
#                                 replaces that list.
# Keys are ECDSA P-256: quick to make, accepted by curl, wget and OpenSSL.
set -euo pipefail
[ $# -eq 1 ] || [ $# -eq 2 ] || { echo "usage: $0 DIR [SUBJECT-ALT-NAMES]" >&2; exit 1; }
dir=$1
default_sans="DNS:*.bp.blogspot.com,DNS:bp.blogspot.com,DNS:blogger.googleusercontent.com"
default_sans+=",DNS:lh3.googleusercontent.com,DNS:*.googleusercontent.com,DNS:ift.tt,DNS:t.co"
default_sans+=",DNS:bit.ly,DNS:feeds.feedburner.com,DNS:www.ehackingnews.com,DNS:example.com"
default_sans+=",DNS:*.example.com,DNS:cdn.example.net,DNS:scenarios.example.org"
default_sans+=",DNS:oldblog.blogspot.com,DNS:www.cjr.org,DNS:www.pewresearch.org,DNS:example.org"
default_sans+=",DNS:images.example.org,DNS:www.youtube.com,DNS:gohugo.io,DNS:mastodon.example"
default_sans+=",DNS:web.archive.org,DNS:archive.org,DNS:timetravel.mementoweb.org"
default_sans+=",DNS:localhost,IP:127.0.0.1,IP:::1"
sans=${2:-$default_sans}
mkdir -p "$dir"
cd "$dir"
umask 077
key_args=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)

openssl req -x509 "${key_args[@]}" -days 2 -sha256 \
  -keyout ca.key -out ca.pem -subj "/CN=rotguard test CA $$-$RANDOM" \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

cat > server.ext <<EXT
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=$sans
EXT
openssl req -new "${key_args[@]}" -sha256 \
  -keyout server.key -out server.csr -subj "/CN=rotguard fixture" 2>/dev/null
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
  -days 2 -sha256 -extfile server.ext -out server.pem 2>/dev/null
rm -f server.csr server.ext ca.srl
chmod 644 ca.pem server.pem
