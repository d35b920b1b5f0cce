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
    "auth.locked": ("该账户正遭受多地密码尝试，已临时锁定 {minutes} 分钟；曾在本设备登录过的用户"
                    "仍可登录，或请管理员解锁",
                    "Passwords for this account are being tried from many places; it is locked "
                    "for {minutes} minutes. A device that signed in before still can, or ask an "
                    "administrator to unlock it"),
    "auth.throttled": ("登录失败次数过多，请 {seconds} 秒后再试",
                       "Too many failed sign-ins; try again in {seconds} s"),
    "auth.failures_since": ("自上次登录以来，您的账户有 {failures} 次登录失败（来自 {addresses} 个地址）。"
                            "如不是您本人操作，请修改密码并联系管理员。",
                            "Since your last sign-in there were {failures} failed sign-ins to "
                            "your account from {addresses} addresses. If that was not you, change "
                            "your password and tell an administrator."),
    "auth.required": ("请先登录", "Please sign in first"),
    "auth.csrf": ("页面已过期或请求来源无效，请刷新后重试",
                  "The page has expired or the request is not trusted; reload and try again"),
    "auth.rate_limited": ("请求过于频繁，请稍后再试", "Too many requests; try again later"),
}
