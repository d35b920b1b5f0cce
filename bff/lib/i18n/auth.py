"""Texts of signing in and out (登录)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "auth.title": ("登录", "Sign in"),
    "auth.username": ("用户名", "Username"),
    "auth.password": ("密码", "Password"),
    "auth.submit": ("登录", "Sign in"),
    "auth.sign_out": ("退出登录", "Sign out"),
    "auth.sign_out_everywhere": ("在所有设备上退出", "Sign out on every device"),
    "auth.invalid_credentials": ("用户名或密码错误", "Wrong username or password"),
    "auth.locked": ("登录失败次数过多，账户已锁定，请 {minutes} 分钟后再试",
                    "Too many failed sign-ins; the account is locked for {minutes} minutes"),
    "auth.required": ("请先登录", "Please sign in first"),
    "auth.csrf": ("页面已过期或请求来源无效，请刷新后重试",
                  "The page has expired or the request is not trusted; reload and try again"),
    "auth.rate_limited": ("请求过于频繁，请稍后再试", "Too many requests; try again later"),
}
