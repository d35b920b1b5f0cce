"""Texts of PTZ control (云台控制)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "ptz.title": ("云台控制", "Pan / tilt / zoom"),
    "ptz.hint": ("按住方向键转动，松开即停", "Press and hold to move; release to stop"),
    "ptz.up": ("上", "Up"),
    "ptz.down": ("下", "Down"),
    "ptz.left": ("左", "Left"),
    "ptz.right": ("右", "Right"),
    "ptz.upleft": ("左上", "Up left"),
    "ptz.upright": ("右上", "Up right"),
    "ptz.downleft": ("左下", "Down left"),
    "ptz.downright": ("右下", "Down right"),
    "ptz.zoomin": ("放大", "Zoom in"),
    "ptz.zoomout": ("缩小", "Zoom out"),
    "ptz.stop": ("停止", "Stop"),
    "ptz.speed": ("速度", "Speed"),
    "ptz.not_ptz": ("该摄像机不是云台摄像机，不能转动或变焦",
                    "This camera has no pan/tilt/zoom head"),
    "ptz.forbidden": ("您无权控制该摄像机的云台", "You may not control this camera's PTZ"),
    "ptz.offline": ("摄像机离线，无法控制云台", "The camera is offline; PTZ is unavailable"),
    "ptz.busy": ("{holder} 正在控制该摄像机的云台，请稍后再试",
                 "{holder} is steering this camera; try again shortly"),
    "ptz.rate_limited": ("云台操作过于频繁，请 {seconds} 秒后再试",
                         "Too many PTZ commands; try again in {seconds} s"),
    "ptz.timeout": ("视频平台响应超时，云台命令可能未执行",
                    "The video platform did not answer in time; the PTZ command may not have run"),
    "ptz.upstream": ("视频平台拒绝或无法执行云台命令，请稍后再试",
                     "The video platform refused or failed the PTZ command; try later"),
}
