"""Helper of scripts/bench-inspect-lines: generates RS256 tokens, times commands, PyJWT, and prints the summary.

Subcommands:
  generate OUT N                 key.pem, jwks.json (kid bench-key), tokens.txt (N distinct tokens), now,
                                 issuer, audience in OUT; signing runs on every core.
  time-command N REPEAT CMD...   runs CMD (stdout to /dev/null) REPEAT times, prints N / best seconds.
  cpu-per-item N CMD...          runs CMD once (stdout to /dev/null), prints its CPU time (user + system, all
                                 threads) per item in microseconds.
  pyjwt OUT N                    PyJWT verifies the first N tokens of OUT/tokens.txt in a loop; prints tokens/s.
  summary CORES N VERIFY DECODE PYJWT OPENSSL   the figures and the goals.
"""

import base64
import json
import multiprocessing
import os
import subprocess
import sys
import time

ISSUER = "https://tenant.example.auth0.com/"
AUDIENCE = "https://api.example.com"
KID = "bench-key"
NOW = 1_750_000_000


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def uint(n: int) -> str:
    return b64url(n.to_bytes((n.bit_length() + 7) // 8, "big"))


_KEY = None


def _sign_range(args):
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    global _KEY
    pem, start, stop = args
    if _KEY is None:
        _KEY = serialization.load_pem_private_key(pem, password=None)
    header = b64url(json.dumps({"alg": "RS256", "typ": "JWT", "kid": KID}, separators=(",", ":")).encode())
    lines = []
    for i in range(start, stop):
        claims = {
            "iss": ISSUER,
            "sub": f"auth0|{i:024x}",
            "aud": AUDIENCE,
            "iat": NOW - 60,
            "exp": NOW + 36_000,
            "azp": "k5u3o2fiAA8XweXEEX604KCwCjzjtMU6",
            "scope": "openid profile email read:things",
            "jti": f"{i:08d}-bench",
        }
        signing_input = f"{header}.{b64url(json.dumps(claims, separators=(',', ':')).encode())}"
        signature = _KEY.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        lines.append(f"{signing_input}.{b64url(signature)}\n")
    return "".join(lines)


def generate(out: str, count: int) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    numbers = key.public_key().public_numbers()
    jwk = {"kty": "RSA", "kid": KID, "alg": "RS256", "use": "sig", "n": uint(numbers.n), "e": uint(numbers.e)}
    step = 2_000
    ranges = [(pem, start, min(start + step, count)) for start in range(0, count, step)]
    with multiprocessing.Pool(os.cpu_count()) as pool:
        chunks = pool.map(_sign_range, ranges)
    files = {
        "key.pem": pem.decode(),
        "jwks.json": json.dumps({"keys": [jwk]}),
        "tokens.txt": "".join(chunks),
        "now": str(NOW),
        "issuer": ISSUER,
        "audience": AUDIENCE,
    }
    for name, text in files.items():
        with open(os.path.join(out, name), "w", encoding="ascii") as f:
            f.write(text)


def time_command(count: int, repeat: int, command: list) -> None:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        best = min(best, time.perf_counter() - start)
    print(f"{count / best:.0f}")


def cpu_per_item(count: int, command: list) -> None:
    before = os.times()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    print(f"{cpu / count * 1e6:.2f}")


def pyjwt(out: str, count: int) -> None:
    import jwt

    with open(os.path.join(out, "jwks.json"), encoding="ascii") as f:
        key = jwt.PyJWK.from_dict(json.load(f)["keys"][0]).key
    with open(os.path.join(out, "tokens.txt"), encoding="ascii") as f:
        tokens = [line.strip() for _, line in zip(range(count), f)]
    options = {"verify_exp": True, "verify_nbf": True, "verify_iat": True}
    start = time.perf_counter()
    for token in tokens:
        # PyJWT reads the clock itself; the tokens are valid for ten hours around NOW, so freeze it there.
        jwt.decode(
            token, key, algorithms=["RS256"], audience=AUDIENCE, issuer=ISSUER, options=options, leeway=10**10
        )
    print(f"{len(tokens) / (time.perf_counter() - start):.0f}")


def summary(cores: str, count: str, verify: str, decode: str, pyjwt_rate: str, openssl_rate: str) -> None:
    verify_rate, decode_rate, py_rate, ossl = (float(x) for x in (verify, decode, pyjwt_rate, openssl_rate))
    rows = [
        ("tokenbench inspect --lines, verify (JWKS, iss, aud)", verify_rate),
        ("tokenbench inspect --lines, decode only", decode_rate),
        ("PyJWT jwt.decode loop (1 process)", py_rate),
        (f"openssl speed -multi {cores} rsa2048 verify", ossl),
    ]
    print(f"\n{int(count):,} RS256 tokens, {cores} cores")
    for name, rate in rows:
        print(f"  {name:<52} {rate:>12,.0f} tokens/s")
    print("goals:")
    print(f"  verify vs PyJWT           {verify_rate / py_rate:6.1f}x   (goal >= 3x)")
    print(f"  verify vs openssl ceiling {100 * verify_rate / ossl:6.1f} %  (goal >= 70 %)")
    print(f"  decode only               {decode_rate:8,.0f}/s (goal >= 200,000/s)")


def main() -> None:
    command, args = sys.argv[1], sys.argv[2:]
    if command == "generate":
        generate(args[0], int(args[1]))
    elif command == "time-command":
        time_command(int(args[0]), int(args[1]), args[2:])
    elif command == "cpu-per-item":
        cpu_per_item(int(args[0]), args[1:])
    elif command == "pyjwt":
        pyjwt(args[0], int(args[1]))
    elif command == "summary":
        summary(*args)
    else:
        sys.exit(f"unknown subcommand {command}: see the docstring of {sys.argv[0]}")


if __name__ == "__main__":
    main()
