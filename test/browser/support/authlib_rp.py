"""A relying party written with Python's Authlib (Debian's python3-authlib), for
test/browser/oidc-authlib.test.ts: one sign-in through keycard, the browser driven by the test.

    authlib_rp.py ISSUER CLIENT_ID SCOPE [--wrong-nonce]   (CLIENT_SECRET in the environment)

It listens on 127.0.0.1 (a free port), prints one JSON line {"authorize": URL} (the authorization
URL with PKCE S256, state and nonce), answers the browser's one visit to /callback, prints one
JSON line with what it found ({"claims", "userinfo"} or {"error"}), shows the same in the page,
and exits. --wrong-nonce validates the ID token against another nonce than the one sent (the
library must refuse it).
"""

import html
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt

# http is allowed on loopback only, for this test's keycard on http://localhost.
os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"

ISSUER, CLIENT_ID, SCOPE = sys.argv[1:4]
WRONG_NONCE = "--wrong-nonce" in sys.argv[4:]
TIMEOUT = 10


def discover(session):
    metadata = session.get(f"{ISSUER}/.well-known/openid-configuration", timeout=TIMEOUT, withhold_token=True).json()
    if metadata["issuer"] != ISSUER:
        raise ValueError(f"discovery names another issuer: {metadata['issuer']}")
    return metadata


def sign_in(callback_url, state, nonce, code_verifier, client, metadata):
    """The code for tokens, the ID token validated against the JWKS, then userinfo."""
    answer = {name: values[0] for name, values in parse_qs(urlsplit(callback_url).query).items()}
    if "error" in answer:
        return {"error": answer["error"]}
    # RFC 9207: the answer names the issuer it came from (mix-up defence).
    if answer.get("iss") != ISSUER:
        return {"error": "iss_mismatch"}
    token = client.fetch_token(
        metadata["token_endpoint"],
        authorization_response=callback_url,
        state=state,
        code_verifier=code_verifier,
    )
    keys = JsonWebKey.import_key_set(client.get(metadata["jwks_uri"], timeout=TIMEOUT, withhold_token=True).json())
    expected_nonce = generate_token(20) if WRONG_NONCE else nonce
    claims = jwt.decode(
        token["id_token"],
        keys,
        claims_options={
            "iss": {"essential": True, "value": ISSUER},
            "aud": {"essential": True, "value": CLIENT_ID},
            "sub": {"essential": True},
            "exp": {"essential": True},
            "nonce": {"essential": True, "value": expected_nonce},
        },
    )
    try:
        claims.validate(leeway=5)
    except Exception as error:  # authlib.jose.errors.JoseError: what the library refused
        return {"error": f"{type(error).__name__}: {error}"}
    userinfo = client.get(metadata["userinfo_endpoint"], timeout=TIMEOUT).json()
    return {"claims": dict(claims), "userinfo": userinfo, "header_alg": claims.header["alg"]}


def main():
    client = OAuth2Session(
        CLIENT_ID,
        os.environ["CLIENT_SECRET"],
        scope=SCOPE,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )
    metadata = discover(client)
    result = {}

    class Callback(BaseHTTPRequestHandler):
        def do_GET(self):
            if not self.path.startswith("/callback?"):
                self.send_error(404)
                return
            try:
                outcome = sign_in(f"{redirect_uri}?{self.path.split('?', 1)[1]}", state, nonce, verifier, client, metadata)
            except Exception as error:
                outcome = {"error": f"{type(error).__name__}: {error}"}
            result.update(outcome)
            page = f'<!doctype html><title>Authlib app</title><pre id="result">{html.escape(json.dumps(outcome))}</pre>'
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page.encode())

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Callback)
    redirect_uri = f"http://127.0.0.1:{server.server_address[1]}/callback"
    client.redirect_uri = redirect_uri
    verifier = generate_token(64)
    nonce = generate_token(20)
    url, state = client.create_authorization_url(
        metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    print(json.dumps({"authorize": url}), flush=True)
    server.timeout = 1
    deadline = time.monotonic() + 30
    while not result and time.monotonic() < deadline:
        server.handle_request()
    print(json.dumps(result or {"error": "no visit to /callback within 30 s"}), flush=True)
    sys.exit(0 if result else 1)


main()
