#!/usr/bin/env bash
# Makes the broker's TLS material on the first start of the compose stack (nothing is
# committed): a CA of the stack's own, and the broker's key and certificate for the names
# clients use (kafka inside the stack, localhost from the host), signed by that CA. The
# broker's PKCS#12 keystore goes to /tls (the broker's volume only); the CA certificate, all a
# client needs to check the broker, goes to /ca (mounted read-only by every service). A second
# run leaves existing material alone.
set -euo pipefail

: "${KAFKA_SSL_PASSWORD:?set KAFKA_SSL_PASSWORD}"
tls=/tls
ca=/ca
days=825
pass="$KAFKA_SSL_PASSWORD"

if [[ -s "$tls/broker.p12" && -s "$ca/ca.crt" ]]; then
  echo "TLS material exists; nothing to do"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rm -f "$tls/broker.p12" "$tls/ca.p12" "$ca/ca.crt"

keytool -genkeypair -alias ca -keyalg EC -groupname secp384r1 -validity 3650 \
  -dname "CN=cbec-kafka-ca" -ext bc:c -ext KU=keyCertSign,cRLSign \
  -keystore "$tls/ca.p12" -storetype PKCS12 -storepass "$pass"
keytool -exportcert -rfc -alias ca -keystore "$tls/ca.p12" -storepass "$pass" \
  -file "$work/ca.crt"

keytool -genkeypair -alias kafka -keyalg EC -groupname secp384r1 -validity "$days" \
  -dname "CN=kafka" -keystore "$tls/broker.p12" -storetype PKCS12 -storepass "$pass"
keytool -certreq -alias kafka -keystore "$tls/broker.p12" -storepass "$pass" \
  -file "$work/kafka.csr"
keytool -gencert -alias ca -keystore "$tls/ca.p12" -storepass "$pass" -rfc \
  -validity "$days" -ext SAN=dns:kafka,dns:localhost -ext KU=digitalSignature \
  -ext EKU=serverAuth -infile "$work/kafka.csr" -outfile "$work/kafka.crt"
keytool -importcert -noprompt -alias ca -file "$work/ca.crt" \
  -keystore "$tls/broker.p12" -storepass "$pass"
keytool -importcert -alias kafka -file "$work/kafka.crt" \
  -keystore "$tls/broker.p12" -storepass "$pass"

cp "$work/ca.crt" "$ca/ca.crt"
# The broker runs as appuser (uid 1000); the services read only the CA certificate.
chown 1000:1000 "$tls/broker.p12" "$tls/ca.p12"
chmod 600 "$tls/broker.p12" "$tls/ca.p12"
chmod 644 "$ca/ca.crt"
echo "made the stack's CA and the broker's certificate (kafka, localhost)"
