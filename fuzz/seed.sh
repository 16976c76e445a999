#!/bin/sh
# Fills fuzz/corpus/<target>/ (gitignored) with seeds:
#   - corpus/streams/*.xml: the first 4 KiB of each stream, plus a 4 KiB window from the
#     middle of it wrapped after a stream header (the streams are megabytes long; libFuzzer
#     takes the longest seed as its default -max_len, so seeds are kept short);
#   - corpus/faults/*.xml: single-fault streams, whole;
#   - ../shared/corpus-external/xep/*.xml: XEP example stanzas wrapped in a stream header.
# Each target's input starts with a few bytes of settings (see the target's docs); seeds
# get neutral settings in front, and a few variants for `limits`.
# Usage: sh fuzz/seed.sh   (from anywhere; safe to run again, it only adds files)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
out="$here/corpus"
raw=$(mktemp -d)
trap 'rm -rf "$raw"' EXIT

header="<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='example.com' version='1.0'>"
n=0
for f in "$root"/corpus/streams/*.xml; do
    [ -f "$f" ] || continue
    name=$(basename "$f" .xml)
    head -c 4096 "$f" >"$raw/stream-$name-head"
    size=$(wc -c <"$f")
    if [ "$size" -gt 8192 ]; then
        { printf '%s' "$header"; tail -c +$((size / 2)) "$f" | head -c 4096; } >"$raw/stream-$name-mid"
    fi
    n=$((n + 1))
done
for f in "$root"/corpus/faults/*.xml; do
    [ -f "$f" ] || continue
    cp "$f" "$raw/fault-$(basename "$f" .xml)"
done
for f in "$root"/../shared/corpus-external/xep/*.xml; do
    [ -f "$f" ] || continue
    { printf '%s' "$header"; cat "$f"; printf '</stream:stream>'; } >"$raw/xep-$(basename "$f" .xml)"
done

# prefix TARGET NAME BYTES...: writes the seed with the given settings bytes in front.
prefix() {
    t=$1 name=$2
    shift 2
    mkdir -p "$out/$t"
    { printf "$@"; cat "$raw/$name"; } >"$out/$t/seed-$name-$(printf "$@" | od -An -tx1 | tr -d ' \n')"
}

for s in "$raw"/*; do
    [ -f "$s" ] || continue
    name=$(basename "$s")
    prefix feed "$name" '\000'
    prefix feed "$name" '\001'
    prefix chunked "$name" '\000\003\020\000\200\000\001\002'
    prefix chunked "$name" '\001\000'
    # cfg stanza header depth attrs name ns_decls chunk
    prefix limits "$name" '\000\200\200\004\005\040\003\010'
    prefix limits "$name" '\200\020\020\011\011\047\005\077'
    prefix limits "$name" '\002\377\377\011\011\047\005\377'
    # restart: mode, then the stream; the target cuts pieces itself.
    prefix restart "$name" '\000\003\005\011'
    prefix restart "$name" '\001\002\003\004'
    # transports: selector 0 (AnyRoot over the stream as it is)
    prefix transports "$name" '\000'
done
# transports: BOSH bodies (selector 1) and WebSocket messages (selector 2).
mkdir -p "$out/transports"
printf '\001%s' "<body xmlns='http://jabber.org/protocol/httpbind' xmlns:xmpp='urn:xmpp:xbosh' xmlns:stream='http://etherx.jabber.org/streams' rid='10' sid='s' wait='60' hold='1' xmpp:version='1.0'><message to='a@b' type='chat'><body>hi &amp; bye</body></message><stream:features/><iq xmlns='jabber:client' type='get' id='1'/></body>" >"$out/transports/seed-bosh-body"
printf '\001%s' "<body xmlns='http://jabber.org/protocol/httpbind' type='terminate' condition='item-not-found'/>" >"$out/transports/seed-bosh-terminate"
printf '\002%s' "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' to='example.com' version='1.0'/>" >"$out/transports/seed-ws-open"
printf '\002%s' "<message xmlns='jabber:client' to='a@b' xml:lang='en'><body>x</body><x:y xmlns:x='urn:x' x:a='1'/></message>" >"$out/transports/seed-ws-message"
mkdir -p "$out/structured"
echo "seeded $(ls "$raw" | wc -l) inputs ($n streams) into $out/{feed,chunked,limits,restart,transports}"
