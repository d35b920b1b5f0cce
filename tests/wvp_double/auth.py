"""WVP's sign-in as the double answers it: md5 by query string, a JWT-like token with a
configurable lifetime, and HTTP 401 `{"code":401,"msg":"请登录后重新请求"}` for a missing,
expired or revoked one."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import time

from tests.wvp_double.asgi import Reply, fail, ok
from tests.wvp_double.state import DoubleState

REFUSED = Reply(401, {"code": 401, "msg": "请登录后重新请求"})


class Auth:
    """Issues and checks the double's tokens."""

    def __init__(self, state: DoubleState) -> None:
        self._state = state
        self._secret = b"double-jwt-secret"
        self._valid_jti: set[str] = set()
        self._jti = itertools.count(1)

    def login(self, params: dict[str, str]) -> Reply:
        state = self._state
        if params.get("username") != state.username or \
                params.get("password") != state.password_md5:
            return fail(100, "用户名或密码错误")
        with state.lock:
            state.logins += 1
            jti = str(next(self._jti))
            self._valid_jti.add(jti)
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        payload = _b64(json.dumps({"userName": state.username, "jti": jti,
                                   "exp": time.time() + state.token_ttl_s}).encode())
        token = f"{header}.{payload}.{self._signature(header, payload)}"
        reply = ok({"accessToken": token, "username": state.username, "id": 1,
                    "role": {"id": 1, "name": "admin", "authority": "0"},
                    "pushKey": "3e84b0f6c1c3ae4c10d7a37a5da5c8a7"})
        reply.headers.append((b"access-token", token.encode()))
        return reply

    def token_ok(self, token: str | None) -> bool:
        if not token or token.count(".") != 2:
            return False
        header, payload, signature = token.split(".")
        if not hmac.compare_digest(self._signature(header, payload), signature):
            return False
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        with self._state.lock:
            known = claims.get("jti") in self._valid_jti
        return known and claims.get("exp", 0) > time.time()

    def revoke_all(self) -> None:
        with self._state.lock:
            self._valid_jti.clear()

    def _signature(self, header: str, payload: str) -> str:
        return _b64(hmac.new(self._secret, f"{header}.{payload}".encode(),
                             hashlib.sha256).digest())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
