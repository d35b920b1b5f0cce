"""Texts of live view (实时视频)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "live.title": ("实时视频", "Live view"),
    "live.connecting": ("正在连接…", "Connecting…"),
    "live.playing": ("播放中", "Playing"),
    "live.failed": ("连接失败", "Connection failed"),
    "live.signal_lost": ("信号中断，正在重连…", "Signal lost; reconnecting…"),
    "live.back": ("返回", "Back"),
    "live.retry": ("重试", "Retry"),
    "live.watermark_notice": ("画面含有您的身份水印，调阅行为已记录",
                              "The picture carries your identity watermark; viewing is logged"),
    "live.forbidden": ("您无权查看该摄像机", "You may not view this camera"),
    "live.offline": ("摄像机离线", "The camera is offline"),
    "live.too_many_user": ("您同时打开的视频过多（上限 {limit} 路）",
                           "Too many open streams (limit {limit})"),
    "live.too_many_camera": ("该摄像机观看人数已达上限", "This camera has too many viewers"),
    "live.invalid_offer": ("无效的 WebRTC 会话描述", "Invalid WebRTC session description"),
    "live.upstream": ("视频平台暂不可用，请稍后再试", "The video platform is unavailable; try later"),
    "live.stream_not_found": ("视频会话不存在或已结束", "No such stream session"),
}
