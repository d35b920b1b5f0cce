"""Texts of Web Push (浏览器推送) and the notification settings page."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "push.not_https": ("推送地址必须使用 HTTPS", "The push endpoint must use HTTPS"),
    "push.host_not_allowed": ("推送地址不属于允许的推送服务",
                              "The push endpoint is not on an allowed push service"),
    "push.malformed": ("推送地址格式无效", "The push endpoint is not a valid URL"),
    "push.bad_keys": ("订阅密钥无效（p256dh 或 auth）",
                      "The subscription keys (p256dh or auth) are invalid"),
    "push.not_found": ("没有该设备订阅", "No such device subscription"),
    "push.title": ("通知设置", "Notifications"),
    "push.help": ("在本设备上开启预警通知。手机锁屏时也能收到；无法使用推送服务时，打开应用即可通过应用内实时通道收到预警。",
                  ("Turn on alert notifications on this device, also when the phone is "
                   "locked. Where no push service can be reached, alerts still arrive "
                   "through the in-app live channel while the app is open.")),
    "push.enable": ("在本设备开启通知", "Enable notifications on this device"),
    "push.enabling": ("正在开启…", "Enabling…"),
    "push.channel": ("本设备的预警通道", "This device's alert channel"),
    "push.channel.web_push": ("Web 推送", "Web Push"),
    "push.channel.in_app": ("仅应用内实时通道", "In-app live channel only"),
    "push.channel.checking": ("正在检查…", "Checking…"),
    "push.reason.unsupported": ("此浏览器不支持推送；iPhone 需先“添加到主屏幕”",
                                ("This browser cannot receive push; on iPhone add the app "
                                 "to the Home Screen first")),
    "push.reason.denied": ("通知权限已被拒绝，可在浏览器设置中重新允许",
                           ("Notifications are blocked; allow them again in the browser "
                            "settings")),
    "push.reason.off": ("尚未在本设备开启推送", "Push is not enabled on this device yet"),
    "push.reason.failed": ("无法连接推送服务（政务外网常见），应用内实时通道仍可用",
                           ("Could not reach the push service (common on government "
                            "networks); the in-app live channel still works")),
    "push.devices": ("我的设备", "My devices"),
    "push.no_devices": ("尚无设备开启通知", "No device has notifications enabled"),
    "push.this_device": ("本机", "This device"),
    "push.remove": ("移除", "Remove"),
    "push.added": ("开启于 {time}", "Enabled {time}"),
    "push.failures": ("失败 {count} 次", "{count} failures"),
    "push.nav": ("通知", "Notifications"),
}
