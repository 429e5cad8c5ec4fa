#!/usr/bin/env bash
# Creates a local certificate authority and a server certificate for localhost, so clients can
# trust the CA (curl --cacert DIR/ca.pem, NODE_EXTRA_CA_CERTS=DIR/ca.pem) instead of disabling
# verification. For local use only: real deployments mount their own certificate.
#
#   nginx/make-certs.sh [DIR]        default DIR: .data/tls
#
# Writes DIR/ca.pem, DIR/ca-key.pem, DIR/server.pem, DIR/server-key.pem (ECDSA P-256; SANs
# localhost, 127.0.0.1, ::1). Idempotent: the CA is kept once made, so a browser or system that
# trusts it keeps trusting it; the server certificate is re-issued only when missing, not signed
# by this CA, or expiring within 30 days.
set -euo pipefail

dir="${1:-.data/tls}"
mkdir -p "$dir"
umask 077

ca="$dir/ca.pem"
ca_key="$dir/ca-key.pem"
cert="$dir/server.pem"
key="$dir/server-key.pem"
ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)

if [[ ! -s "$ca" || ! -s "$ca_key" ]]; then
  openssl req -x509 "${ec[@]}" -sha256 -days 3650 \
    -keyout "$ca_key" -out "$ca" \
    -subj "/O=docpipe/CN=docpipe local development CA" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" 2>/dev/null
  rm -f "$cert" "$key"
  echo "created CA $ca"
fi

valid() {
  [[ -s "$cert" && -s "$key" ]] &&
    openssl verify -CAfile "$ca" "$cert" >/dev/null 2>&1 &&
    openssl x509 -in "$cert" -noout -checkend $((30 * 24 * 3600)) >/dev/null 2>&1
}

if ! valid; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  cat >"$work/ext.cnf" <<'EOF'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
  openssl req -new "${ec[@]}" -keyout "$key" -out "$work/server.csr" \
    -subj "/O=docpipe/CN=localhost" 2>/dev/null
  # 365 days: under the 398-day ceiling browsers and Apple platforms enforce for TLS certificates.
  openssl x509 -req -in "$work/server.csr" -CA "$ca" -CAkey "$ca_key" \
    -set_serial "0x$(openssl rand -hex 16)" -days 365 -sha256 \
    -extfile "$work/ext.cnf" -out "$cert" 2>/dev/null
  echo "created server certificate $cert (localhost, 127.0.0.1, ::1)"
fi

# Certificates are public; keys stay readable by their owner only (nginx's master reads them).
chmod 644 "$ca" "$cert"
chmod 600 "$ca_key" "$key"
