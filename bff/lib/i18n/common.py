"""Texts every page and error shares: the app's name, generic errors, punctuation."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "app.name": ("城市睿眼", "City Eye"),
    "app.tagline": ("城市视频图像共享 · 移动端", "City video sharing · mobile"),
    "app.language_switch": ("English", "中文"),
    "error.bad_request": ("请求参数无效：{detail}", "Invalid request: {detail}"),
    "error.not_found": ("未找到该资源", "Not found"),
    "error.method_not_allowed": ("不支持该请求方法", "This method is not allowed here"),
    "error.too_large": ("请求内容过大", "The request is too large"),
    "error.unsupported_media": ("不支持该内容类型", "This content type is not supported"),
    "error.forbidden": ("无权执行此操作", "You may not do this"),
    "error.unavailable": ("服务暂时不可用，请稍后重试", "The service is briefly unavailable; try again"),
    "error.too_deep": ("请求内容嵌套层级过深", "The request body is nested too deeply"),
    "error.internal": ("服务器内部错误，请稍后再试", "Internal error; try again later"),
    # Between the items of a run-on list (several reasons, several fields).
    "text.list_separator": ("；", "; "),
}
