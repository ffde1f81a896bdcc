#!/usr/bin/env bash
# A private certificate authority and a NATS server certificate, for development, tests and a podman host: never
# for a production cluster (bring your own CA there, e.g. cert-manager; docs/operations.md, The bus).
#
#   deploy/nats/dev-pki.sh DIR [NAME...]
#
# DIR gets ca.pem + ca.key (the CA, 10 years) and server.pem + server.key (EC P-256, 2 years, usable as a server
# and as a client certificate, so that cluster routes can verify each other), the server certificate valid for
# localhost, 127.0.0.1, ::1 and every NAME (host names such as rf-nats, or IP addresses). Idempotent: what exists
# and still fits (names, 30 days of validity left, signed by ca.pem) is kept; keys are mode 0600. Needs openssl.
set -euo pipefail

dir=${1:?usage: deploy/nats/dev-pki.sh DIR [NAME...]}
shift
names=(localhost 127.0.0.1 ::1 "$@")

command -v openssl >/dev/null || {
    echo "dev-pki: openssl is missing (apt-get install openssl)" >&2
    exit 1
}
mkdir -p "$dir"
umask 077

san=""
for n in "${names[@]}"; do
    if [[ $n =~ ^[0-9.]+$ || $n == *:* ]]; then san+="${san:+,}IP:$n"; else san+="${san:+,}DNS:$n"; fi
done

ca_ok() {
    [[ -s $dir/ca.pem && -s $dir/ca.key ]] && openssl x509 -in "$dir/ca.pem" -noout -checkend 2592000 >/dev/null 2>&1
}

server_ok() {
    [[ -s $dir/server.pem && -s $dir/server.key ]] || return 1
    openssl x509 -in "$dir/server.pem" -noout -checkend 2592000 >/dev/null 2>&1 || return 1
    openssl verify -CAfile "$dir/ca.pem" "$dir/server.pem" >/dev/null 2>&1 || return 1
    local have n
    have=$(openssl x509 -in "$dir/server.pem" -noout -ext subjectAltName 2>/dev/null | sed 1d | tr -d ' \n')
    for n in "${names[@]}"; do
        if [[ $n =~ ^[0-9.]+$ || $n == *:* ]]; then
            # openssl prints ::1 as 0:0:0:0:0:0:0:1
            [[ $n == ::1 ]] && n=0:0:0:0:0:0:0:1
            [[ ,$have, == *",IPAddress:$n,"* ]] || return 1
        else
            [[ ,$have, == *",DNS:$n,"* ]] || return 1
        fi
    done
}

if ! ca_ok; then
    openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
        -subj "/O=Rune Forge (development)/CN=Rune Forge bus CA" \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
        -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
    rm -f "$dir/server.pem" # signed by the old CA
    echo "dev-pki: new CA $dir/ca.pem"
fi

if ! server_ok; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/O=Rune Forge (development)/CN=${names[3]:-localhost}" \
        -keyout "$tmp/server.key" -out "$tmp/server.csr" 2>/dev/null
    printf '%s\n' "subjectAltName=$san" "basicConstraints=critical,CA:FALSE" \
        "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth,clientAuth" >"$tmp/ext"
    openssl x509 -req -in "$tmp/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
        -days 730 -extfile "$tmp/ext" -out "$tmp/server.pem" 2>/dev/null
    mv -f "$tmp/server.key" "$dir/server.key"
    mv -f "$tmp/server.pem" "$dir/server.pem"
    rm -f "$dir/ca.srl"
    echo "dev-pki: new server certificate $dir/server.pem ($san)"
fi
chmod 600 "$dir/ca.key" "$dir/server.key"
chmod 644 "$dir/ca.pem" "$dir/server.pem"
