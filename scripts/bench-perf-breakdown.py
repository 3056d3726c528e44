#!/usr/bin/env python3
"""Where the issuer's CPU goes, from a `perf record --call-graph dwarf` of `tokenbench serve`.

Reads `perf script` of FILE (as scripts/bench-issuer writes it with BENCH_PERF=DIR: DIR/pinned.data,
DIR/login.data; the binary needs symbols, see there) and puts every sample in one bucket: the first
"owner" found anywhere on its stack (the RSA signature, the request log, the Host check, ... — so the
allocator, memcpy and kernel time a piece of code causes count for that code), else the frame nearest
the leaf that names a layer (socket write, hyper, axum, tokio). Prints the share of samples per
bucket and, with --us-per-request (server CPU time per request, e.g. the "server CPU µs a request"
column of scripts/bench-issuer), the microseconds each bucket costs a request.

Usage: scripts/bench-perf-breakdown.py FILE [--us-per-request N]
"""

import argparse
import collections
import re
import subprocess
import sys

# Checked in order against the whole stack; the first that matches owns the sample.
OWNERS = [
    ("RSA signature (aws-lc private-key operation)",
     r"aws_lc_\w*?_(rsa_|BN_|bn_|EVP_DigestSign|RSA)|mulx4x_internal|sqrx8x|__bn_post|bn_powerx5|pkey_rsa_sign"
     r"|evp_pkey.*::sign"),
    ("request log: serve's sink (RequestRecord::line, eprintln to stderr)",
     r"cli::serve::serve::\{\{closure|RequestRecord::line|_eprint"),
    ("request log: report() (RequestRecord with redacted params and body)", r"services::issuer::report|record::redact"),
    ("Host check middleware (guard::host, url::Url::parse)", r"guard::host|host_allowed|guard::authority"),
    ("CORS middleware", r"guard::cors"),
    ("form parsing (Params::parse)", r"Params::parse|issuer::params::"),
    ("client lookup and secret check (checked_grant)", r"checked_grant|secrets_match"),
    ("JWT assembly outside RSA (claims to_string, base64url)", r"SigningKey::sign"),
    ("login page HTML (pages::login_page)", r"issuer::pages::|render_login"),
    ("/authorize checks and transaction", r"Issuer::authorize|check_authorize|trusted_callback|start_login|issuer::authorize::"),
    ("login form check, session and code (login_post)", r"login_post|check_password|form_user|issuer::login::|issuer::respond::"),
    ("code exchange outside RSA (exchange_code, id_token claims)", r"exchange_code|user_tokens|code_grant::"),
    ("claims for client_credentials (json! Value)", r"::client_credentials"),
    ("JSON response body (json_response)", r"json_response|axum::json"),
    ("browser route plumbing (query, cookie, headers)", r"services::issuer::browser::|cookie::"),
    ("body collection (to_bytes)", r"axum_core::body::to_bytes|http_body_util"),
    ("token endpoint logic (token_shared: tenant lookups, scope)", r"token_shared|core::issuer::token::"),
    ("handler glue (answer, handle: headers, Ctx, drops)", r"services::issuer::answer|services::issuer::handle"),
    ("timeout middleware and the futures inside it", r"tokio::time::"),
]
# Otherwise the frame nearest the leaf that matches one of these.
LAYERS = [
    ("socket write (writev, TCP loopback delivery)", r"writev"),
    ("socket read", r"__libc_read|__GI___read|recvfrom|tcp_recvmsg"),
    ("epoll_wait and parking (tokio I/O driver)", r"epoll_wait|park|Parker"),
    ("hyper HTTP/1 parse, encode, dispatch", r"hyper::"),
    ("axum and tower routing, middleware plumbing", r"axum::|tower::|axum_core::"),
    ("tokio scheduler and I/O registration", r"tokio::|mio::"),
    ("connection accept loop", r"accept::"),
]
ALLOCATOR = re.compile(r"malloc|free|realloc|_int_|consolidate|unlink_chunk")


def stacks(path):
    text = subprocess.run(["perf", "script", "-i", path, "--no-inline", "-F", "ip,sym"],
                          capture_output=True, text=True, check=True).stdout
    stack = []
    for line in text.splitlines():
        if line.strip():
            parts = line.split(None, 1)
            stack.append(parts[1] if len(parts) > 1 else "?")
        elif stack:
            yield stack
            stack = []
    if stack:
        yield stack


def bucket(stack):
    for name, pattern in OWNERS:
        if any(re.search(pattern, frame) for frame in stack):
            return name
    for frame in stack:
        for name, pattern in LAYERS:
            if re.search(pattern, frame):
                return name
    return f"other ({stack[0][:50]})"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--us-per-request", type=float)
    args = parser.parse_args()
    count, alloc = collections.Counter(), collections.Counter()
    for stack in stacks(args.file):
        name = bucket(stack)
        count[name] += 1
        alloc[name] += bool(ALLOCATOR.search(stack[0]))
    total = sum(count.values())
    if not total:
        sys.exit(f"no samples in {args.file}")
    us = args.us_per_request
    print(f"{total} samples" + (f", {us:.0f} µs of server CPU a request" if us else ""))
    print(f"| Where | share |{' µs a request |' if us else ''} of which malloc/free |")
    print(f"|:---|---:|{'---:|' if us else ''}---:|")
    for name, n in count.most_common():
        if n / total < 0.0005:
            continue
        cost = f" {n / total * us:.1f} |" if us else ""
        print(f"| {name} | {n / total:.1%} |{cost} {alloc[name] / total:.1%} |")
    outside = total - count[OWNERS[0][0]]
    print(f"\nOutside the signature: {outside / total:.1%}"
          + (f" ({outside / total * us:.0f} µs a request)" if us else "")
          + f"; malloc/free in all: {sum(alloc.values()) / total:.1%}")


if __name__ == "__main__":
    main()
