#!/usr/bin/env python3
"""Writes hand-made HAR 1.2 fixtures for tests/cli_har.rs (Python 3 standard library only, deterministic:
the same files on every run). None of this comes from a real capture; secrets are planted values the tests
look for after sanitising.

Usage:
  make-har.py OUT_DIR              capture.har (Chrome shape: sign-in, delegation, a burst ending in 429s, a
                                   refresh token spent twice, a token in a query string, ...), firefox.har,
                                   safari.har, bad-entry.har, invalid-utf8.har and planted.json (the secrets)
  make-har.py --bench N OUT_FILE   N entries of about 10 KiB each, two tokens per entry (for scripts/bench-har)
"""

import base64
import hashlib
import json
import sys

T0 = 1_750_000_000  # 2025-06-15T15:06:40Z, tests/common NOW
TENANT = "tenant.example.auth0.com"
ISSUER = f"https://{TENANT}/"
APP = "https://app.example.com"
API = "https://api.example.com/"
CLIENT = "app-client-1"

PLANTED = {
    "client_secret": "PLANTED-client-secret-4f1d9c",
    "password": "PLANTED-password-Hunter2!",
    "code": "PLANTED-code-9XkQ2",
    "code_verifier": "PLANTED-verifier-dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
    "refresh_token_1": "PLANTED-refresh-one-v1.MRrtMk",
    "refresh_token_2": "PLANTED-refresh-two-v1.ZZq7Lp",
    "session_cookie": "PLANTED-session-s%3Aabc123",
    "opaque_access_token": "PLANTED-opaque-access-token-8a7b6c",
}
SIGNATURES = []


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(claims: dict, alg: str = "RS256") -> str:
    header = {"alg": alg, "typ": "JWT"}
    if alg.startswith("RS"):
        header["kid"] = "key-1"
    head = b64url(json.dumps(header, separators=(",", ":")).encode())
    body = b64url(json.dumps(claims, separators=(",", ":")).encode())
    if alg == "none":
        return f"{head}.{body}."
    signature = b64url(hashlib.sha256(f"PLANTED-signature:{head}.{body}".encode()).digest() * 8)
    SIGNATURES.append(signature)
    return f"{head}.{body}.{signature}"


def iso(ms: int, offset: str = "Z") -> str:
    seconds, millis = divmod(ms, 1000)
    hours = 0
    if offset != "Z":
        hours = int(offset[:3])
    # Deterministic ISO 8601 without the datetime module's local-time pitfalls.
    days, rest = divmod(seconds + hours * 3600, 86400)
    h, rest = divmod(rest, 3600)
    m, s = divmod(rest, 60)
    y, mo, d = civil_from_days(days)
    return f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{m:02d}:{s:02d}.{millis:03d}{offset}"


def civil_from_days(z: int):
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return (y + (m <= 2), m, d)


def headers(pairs):
    return [{"name": n, "value": v} for n, v in pairs]


def form(pairs):
    from urllib.parse import urlencode

    return urlencode(pairs)


class Capture:
    """Entries in the Chrome shape; at(seconds) sets the time of the next entry."""

    def __init__(self):
        self.entries = []
        self.now = T0

    def add(self, method, url, *, status=200, req_headers=(), body=None, mime="application/x-www-form-urlencoded",
            resp_headers=(), resp_body="", resp_mime="application/json", base64_body=False, redirect="",
            seconds=1, extra=None):
        self.now += seconds
        request = {
            "method": method,
            "url": url,
            "httpVersion": "HTTP/2",
            "headers": headers([(":authority", url.split("/")[2])] + list(req_headers)),
            "queryString": query_string(url),
            "cookies": [],
            "headersSize": -1,
            "bodySize": 0 if body is None else len(body),
        }
        if body is not None:
            request["postData"] = {"mimeType": mime, "text": body}
        content = {"size": len(resp_body), "mimeType": resp_mime, "text": resp_body}
        if base64_body:
            raw = resp_body if isinstance(resp_body, bytes) else resp_body.encode()
            content = {"size": len(raw), "mimeType": resp_mime, "text": base64.b64encode(raw).decode(),
                       "encoding": "base64"}
        entry = {
            "_initiator": {"type": "script", "url": url},
            "_priority": "High",
            "_resourceType": "fetch",
            "cache": {},
            "pageref": "page_1",
            "request": request,
            "response": {
                "status": status,
                "statusText": "",
                "httpVersion": "HTTP/2",
                "headers": headers(resp_headers),
                "cookies": [],
                "content": content,
                "redirectURL": redirect,
                "headersSize": -1,
                "bodySize": -1,
                "_transferSize": 512,
            },
            "serverIPAddress": "192.0.2.10",
            "startedDateTime": iso(self.now * 1000 + 250),
            "time": 120.5,
            "timings": {"blocked": 1, "dns": -1, "ssl": -1, "connect": -1, "send": 0.2, "wait": 110, "receive": 9.3},
        }
        if extra:
            extra(entry)
        self.entries.append(entry)
        return entry


def query_string(url):
    from urllib.parse import parse_qsl, urlsplit

    return [{"name": k, "value": v} for k, v in parse_qsl(urlsplit(url).query)]


def har(entries, creator="WebInspector", version="1.2"):
    return {"log": {"version": version, "creator": {"name": creator, "version": "537.36"},
                    "pages": [{"id": "page_1", "title": APP, "startedDateTime": iso(T0 * 1000),
                               "pageTimings": {}}],
                    "entries": entries}}


def ratelimit(limit, remaining, reset):
    return [("x-ratelimit-limit", str(limit)), ("x-ratelimit-remaining", str(remaining)),
            ("x-ratelimit-reset", str(reset))]


def token_answer(capture_now, *, aud_client=CLIENT, alg="RS256", refresh=None, iat_skew=0):
    iat = capture_now + iat_skew
    access = jwt({"iss": ISSUER, "sub": "auth0|alice", "aud": [API, f"{ISSUER}userinfo"], "azp": CLIENT,
                  "iat": iat, "exp": iat + 86400, "scope": "openid profile offline_access"})
    id_token = jwt({"iss": ISSUER, "sub": "auth0|alice", "aud": aud_client, "iat": iat, "exp": iat + 36000,
                    "nonce": "n-0S6_WzA2Mj"}, alg)
    answer = {"access_token": access, "id_token": id_token, "token_type": "Bearer", "expires_in": 86400}
    if refresh:
        answer["refresh_token"] = refresh
    return access, id_token, json.dumps(answer)


def sign_in(c: Capture):
    authorize = (f"https://{TENANT}/authorize?client_id={CLIENT}&response_type=code&scope=openid%20offline_access"
                 f"&redirect_uri={APP}/callback&state=st-1&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    callback = f"{APP}/callback?code={PLANTED['code']}&state=st-1"
    c.add("GET", authorize, status=302, resp_headers=[("Location", callback)], resp_body="", resp_mime="text/html",
          redirect=callback)
    c.add("GET", callback, req_headers=[("Referer", authorize)], resp_mime="text/html",
          resp_body="<html><title>signing in</title></html>")
    access, id_token, answer = token_answer(c.now + 1, refresh=PLANTED["refresh_token_1"])
    body = form([("grant_type", "authorization_code"), ("client_id", CLIENT),
                 ("client_secret", PLANTED["client_secret"]), ("code", PLANTED["code"]),
                 ("code_verifier", PLANTED["code_verifier"]), ("redirect_uri", f"{APP}/callback")])
    c.add("POST", f"https://{TENANT}/oauth/token", req_headers=[("Referer", callback)], body=body,
          resp_headers=ratelimit(30, 29, T0 + 60) + [("Set-Cookie", f"did={PLANTED['session_cookie']}; Path=/; "
                                                                    "Secure; HttpOnly")],
          resp_body=answer)
    # Chrome writes this one base64.
    c.add("GET", f"https://{TENANT}/userinfo", req_headers=[("authorization", f"Bearer {access}")],
          resp_body=json.dumps({"sub": "auth0|alice", "name": "Alice"}), base64_body=True)
    c.add("GET", f"{API}orders", req_headers=[("Authorization", f"Bearer {access}")],
          resp_body="[]")
    return access, id_token


def findings_scenarios(c: Capture, access, id_token):
    # An access token sent to a host outside its audience.
    c.add("GET", "https://reports.example.net/data", req_headers=[("Authorization", f"Bearer {access}")])
    # A token sent after its exp.
    expired = jwt({"iss": ISSUER, "sub": "auth0|alice", "aud": API, "iat": T0 - 7200, "exp": T0 - 3600})
    c.add("GET", f"{API}orders", status=401, req_headers=[("Authorization", f"Bearer {expired}")],
          resp_body=json.dumps({"error": "invalid_token", "error_description": "jwt expired"}))
    # Legacy delegation: the id token of the sign-in for an HS256 one issued to the target client.
    delegation = json.dumps({"client_id": CLIENT, "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
                             "id_token": id_token, "target": "legacy-api-client", "scope": "openid",
                             "api_type": "app"})
    _, hs_token, _ = token_answer(c.now + 1, alg="HS256", aud_client="legacy-api-client")
    c.add("POST", f"https://{TENANT}/delegation", body=delegation, mime="application/json",
          resp_body=json.dumps({"id_token": hs_token, "token_type": "Bearer", "expires_in": 36000}))
    # A password grant answered with an id token for another client.
    _, foreign, answer = token_answer(c.now + 1, aud_client="someone-elses-client")
    body = json.dumps({"grant_type": "password", "client_id": CLIENT, "username": "alice@example.com",
                       "password": PLANTED["password"], "client_secret": PLANTED["client_secret"]})
    c.add("POST", f"https://{TENANT}/oauth/token", body=body, mime="application/json", resp_body=answer)


def refresh_twice(c: Capture):
    body = form([("grant_type", "refresh_token"), ("client_id", CLIENT),
                 ("refresh_token", PLANTED["refresh_token_1"])])
    _, _, answer = token_answer(c.now + 1, refresh=PLANTED["refresh_token_2"])
    c.add("POST", f"https://{TENANT}/oauth/token", body=body, resp_body=answer,
          resp_headers=ratelimit(30, 28, T0 + 60))
    c.add("POST", f"https://{TENANT}/oauth/token", body=body, status=403,
          resp_body=json.dumps({"error": "invalid_grant", "error_description": "Unknown or invalid refresh token."}))


def query_token_and_skew(c: Capture, access):
    c.add("GET", f"{API}export?format=csv&access_token={access}", resp_mime="text/csv", resp_body="id\n1\n")
    _, _, answer = token_answer(c.now + 1, iat_skew=300)
    c.add("POST", f"https://{TENANT}/oauth/token", resp_body=answer,
          body=form([("grant_type", "client_credentials"), ("client_id", CLIENT),
                     ("client_secret", PLANTED["client_secret"]), ("audience", API)]))


def burst(c: Capture):
    # A minute and a half after the rest: the rate-limit window of its 429s holds the burst alone.
    c.now += 90
    body = form([("grant_type", "client_credentials"), ("client_id", CLIENT),
                 ("client_secret", PLANTED["client_secret"]), ("audience", API)])
    for remaining in [4, 3, 2, 1, 0]:
        _, _, answer = token_answer(c.now)
        c.add("POST", f"https://{TENANT}/oauth/token", body=body, resp_body=answer, seconds=0,
              resp_headers=ratelimit(5, remaining, T0 + 120))
    for _ in range(2):
        c.add("POST", f"https://{TENANT}/oauth/token", body=body, status=429, seconds=0,
              resp_headers=ratelimit(5, 0, T0 + 120) + [("Retry-After", "30")],
              resp_body=json.dumps({"error": "too_many_requests", "error_description": "Global limit exceeded"}))


def binary_answer(c: Capture):
    c.add("GET", f"{APP}/logo.png", resp_mime="image/png", base64_body=True,
          resp_body=b"\x89PNG\r\n\x1a\n\xff\xfe\x00binary")


def capture():
    c = Capture()
    access, id_token = sign_in(c)
    findings_scenarios(c, access, id_token)
    refresh_twice(c)
    query_token_and_skew(c, access)
    burst(c)
    binary_answer(c)
    return har(c.entries, creator="WebInspector")


def firefox():
    """postData.params without text, a local offset, capitalised names, Set-Cookie lines joined by \\n."""
    _, _, answer = token_answer(T0 + 1, refresh=PLANTED["refresh_token_2"])
    params = [("grant_type", "refresh_token"), ("client_id", CLIENT), ("refresh_token", PLANTED["refresh_token_1"])]
    entry = {
        "pageref": "page_1", "startedDateTime": iso(T0 * 1000 + 500, "+02:00"), "time": 88,
        "request": {"bodySize": 90, "method": "POST", "url": f"https://{TENANT}/oauth/token", "httpVersion": "HTTP/1.1",
                    "headers": headers([("Host", TENANT), ("Content-Type", "application/x-www-form-urlencoded"),
                                        ("Cookie", f"did={PLANTED['session_cookie']}; theme=dark")]),
                    "cookies": [{"name": "did", "value": PLANTED["session_cookie"]}, {"name": "theme", "value": "dark"}],
                    "queryString": [], "headersSize": 300,
                    "postData": {"mimeType": "application/x-www-form-urlencoded",
                                 "params": [{"name": k, "value": v} for k, v in params]}},
        "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1",
                     "headers": headers([("Content-Type", "application/json"), ("X-RateLimit-Limit", "30"),
                                         ("X-RateLimit-Remaining", "7"), ("X-RateLimit-Reset", str(T0 + 60)),
                                         ("Set-Cookie", f"did={PLANTED['session_cookie']}; Path=/\n"
                                                        "did_compat=PLANTED-compat-cookie; Path=/")]),
                     "cookies": [], "content": {"mimeType": "application/json", "size": len(answer), "text": answer},
                     "redirectURL": "", "headersSize": 200, "bodySize": len(answer)},
        "cache": {}, "timings": {"blocked": 0, "dns": 0, "connect": 0, "ssl": 0, "send": 0, "wait": 80, "receive": 8},
    }
    return har([entry], creator="Firefox")


def safari():
    """No queryString, cookies, postData.params, content.text, redirectURL or time; odd header case."""
    access, _, _ = token_answer(T0)
    entries = [
        {"startedDateTime": iso(T0 * 1000 + 100),
         "request": {"method": "GET", "url": f"https://{TENANT}/userinfo",
                     "headers": headers([("AUTHORIZATION", f"Bearer {access}")])},
         "response": {"status": 200, "headers": headers([("X-Ratelimit-Remaining", "3"), ("x-ratelimit-LIMIT", "10"),
                                                         ("X-RATELIMIT-RESET", str(T0 + 30))]),
                      "content": {"mimeType": "application/json", "size": 0}}},
        {"startedDateTime": iso(T0 * 1000 + 900),
         "request": {"method": "GET", "url": f"{APP}/#access_token={PLANTED['opaque_access_token']}&token_type=Bearer",
                     "headers": headers([("Accept", "text/html"), ("accept", "application/json")])},
         "response": {"status": 200, "headers": [], "content": {"mimeType": "text/html", "size": 0}}},
    ]
    return har(entries, creator="WebKit Web Inspector")


def bad_entry():
    good = {"startedDateTime": iso(T0 * 1000), "request": {"method": "GET", "url": f"https://{TENANT}/authorize"},
            "response": {"status": 302}}
    broken = {"startedDateTime": iso(T0 * 1000), "request": {"method": "GET", "url": f"https://{TENANT}/userinfo"},
              "response": {"status": "two hundred"}}
    return har([good, broken, "not an entry", good])


def write(path, value):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(value, f, indent=1, ensure_ascii=False)
        f.write("\n")


def write_fixtures(out):
    write(f"{out}/capture.har", capture())
    write(f"{out}/firefox.har", firefox())
    write(f"{out}/safari.har", safari())
    write(f"{out}/bad-entry.har", bad_entry())
    text = json.dumps(har([{"startedDateTime": iso(T0 * 1000),
                            "request": {"method": "GET", "url": f"{APP}/caf\u00e9"},
                            "response": {"status": 200, "content": {"mimeType": "text/plain", "text": "MARK"}}}]))
    with open(f"{out}/invalid-utf8.har", "wb") as f:
        f.write(text.encode().replace(b"MARK", b"latin-1 caf\xe9 \xff\xfe"))
    planted = dict(PLANTED)
    planted["signatures"] = sorted(set(SIGNATURES))
    write(f"{out}/planted.json", planted)


def bench(count, path):
    """Streams `count` entries of about 10 KiB: a Bearer JWT sent, an access token received."""
    padding = "".join(f"{i:08x}" for i in range(1100))  # ~8.8 KiB of response payload
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write('{"log":{"version":"1.2","creator":{"name":"make-har.py","version":"1"},"entries":[\n')
        for n in range(count):
            now = T0 + n
            sent = jwt({"iss": ISSUER, "sub": f"auth0|user{n}", "aud": API, "iat": now, "exp": now + 3600})
            access, _, _ = token_answer(now)
            body = json.dumps({"access_token": access, "token_type": "Bearer", "expires_in": 86400,
                               "data": padding})
            entry = {"startedDateTime": iso(now * 1000), "time": 50,
                     "request": {"method": "GET", "url": f"{API}items/{n}?page=1",
                                 "headers": headers([("Authorization", f"Bearer {sent}"), ("Accept", "*/*")]),
                                 "queryString": [{"name": "page", "value": "1"}], "cookies": []},
                     "response": {"status": 200, "headers": headers(ratelimit(1000, 999 - n % 1000, now + 60)),
                                  "cookies": [], "content": {"size": len(body), "mimeType": "application/json",
                                                             "text": body}, "redirectURL": ""}}
            f.write(("," if n else "") + json.dumps(entry, separators=(",", ":")) + "\n")
            SIGNATURES.clear()
        f.write("]}}\n")


def main(argv):
    if len(argv) == 3 and argv[0] == "--bench":
        bench(int(argv[1]), argv[2])
    elif len(argv) == 1:
        write_fixtures(argv[0])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
