"""User-facing text in zh-CN (first) and English.

The locale comes from the `lang` cookie, else the Accept-Language header, else zh-CN.
Templates call `t("key")`; errors carry a message key and are translated at the edge.
"""

from __future__ import annotations

from typing import Literal

from litestar.connection import ASGIConnection

Locale = Literal["zh-CN", "en"]
DEFAULT_LOCALE: Locale = "zh-CN"
LOCALES: tuple[Locale, ...] = ("zh-CN", "en")

MESSAGES: dict[str, tuple[str, str]] = {
    # app
    "app.name": ("城市睿眼", "City Eye"),
    "app.tagline": ("城市视频图像共享 · 移动端", "City video sharing · mobile"),
    "app.language_switch": ("English", "中文"),
    # auth
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
    # generic errors
    "error.bad_request": ("请求参数无效：{detail}", "Invalid request: {detail}"),
    "error.not_found": ("未找到该资源", "Not found"),
    "error.method_not_allowed": ("不支持该请求方法", "This method is not allowed here"),
    "error.too_large": ("请求内容过大", "The request is too large"),
    "error.unsupported_media": ("不支持该内容类型", "This content type is not supported"),
    "error.forbidden": ("无权执行此操作", "You may not do this"),
    "error.unavailable": ("服务暂时不可用，请稍后重试", "The service is briefly unavailable; try again"),
    "error.internal": ("服务器内部错误，请稍后再试", "Internal error; try again later"),
    # catalogue
    "nearby.title": ("附近摄像机", "Cameras near me"),
    "nearby.locating": ("正在获取位置…", "Finding your position…"),
    "nearby.use_city_centre": ("使用市中心位置", "Use the city centre"),
    "nearby.locate_again": ("重新定位", "Locate again"),
    "nearby.location_denied": ("无法获取位置，已使用市中心", "No location; using the city centre"),
    "nearby.search": ("搜索名称、地址或编码", "Search name, address or code"),
    "nearby.all_regions": ("全部区域", "All regions"),
    "nearby.all_depts": ("全部部门", "All departments"),
    "nearby.viewable_only": ("仅显示可查看", "Viewable only"),
    "nearby.empty": ("附近没有符合条件的摄像机", "No matching cameras nearby"),
    "nearby.position": ("当前位置", "Your position"),
    "nearby.radar": ("周边摄像机方位图", "Cameras around you"),
    "nearby.north": ("北", "N"),
    "nearby.radar_scale": ("外圈半径 {distance}", "Outer ring {distance}"),
    "nearby.count": ("共 {count} 个", "{count} cameras"),
    "view.switch": ("列表或地图", "List or map"),
    "view.list": ("列表", "List"),
    "view.map": ("地图", "Map"),
    "map.title": ("摄像机地图", "Camera map"),
    "map.label": ("附近摄像机地图", "Map of cameras near you"),
    "map.you": ("我的位置", "You are here"),
    "map.recentre": ("回到我的位置", "Back to my position"),
    "map.open": ("打开摄像机", "Open camera"),
    "map.close": ("关闭", "Close"),
    "map.legend_not_shareable": ("不可共享/不可用", "Not shareable"),
    "map.legend_offline": ("空心 = 离线", "Hollow = offline"),
    "map.no_tiles": ("未配置底图：以您为中心显示方位与距离", "No base map: positions and distances around you"),
    "map.tiles_failed": ("底图无法加载，仅显示方位与距离", "The base map cannot load; positions and distances only"),
    "map.load_failed": ("摄像机加载失败，请稍后重试", "Could not load the cameras; try again"),
    "map.same_spot": ("同一位置还有 {count} 个：", "{count} more at this spot:"),
    "map.search": ("搜索：{q}", "Search: {q}"),
    "map.clear_search": ("清除搜索", "Clear search"),
    "access.may_view": ("可查看", "May view"),
    "access.request": ("需申请", "Request needed"),
    "access.not_shared": ("不予共享", "Not shared"),
    "access.out_of_scope": ("辖区外", "Out of scope"),
    "access.unavailable": ("停用/维修", "Not in use"),
    "camera.online": ("在线", "Online"),
    "camera.offline": ("离线", "Offline"),
    "camera.not_found": ("摄像机不存在", "No such camera"),
    "camera.code_flagged": ("编码不规范", "Non-conforming code"),
    "camera.not_in_catalogue": ("目录未登记", "Not in catalogue"),
    "camera.type.1": ("球机(云台)", "PTZ dome"),
    "camera.type.2": ("固定半球", "Fixed dome"),
    "camera.type.3": ("固定枪机", "Fixed bullet"),
    "camera.type.4": ("云台枪机", "PTZ bullet"),
    "camera.type.5": ("卡口枪机", "Checkpoint bullet"),
    "camera.type.99": ("其他", "Other"),
    # catalogue import
    "import.title": ("导入资源目录", "Import the camera catalogue"),
    "import.help": ("上传附录五格式的 CSV 或 XLSX 文件（中文表头）。规范的行直接导入，编码或位置有问题的行标记后导入，缺项或取值错误的行拒绝并说明原因。",
                    "Upload an appendix-5 CSV or XLSX file (Chinese headers). Conforming rows load, rows with code or position problems load flagged, broken rows are refused with the reason."),
    "import.file": ("目录文件", "Catalogue file"),
    "import.submit": ("校验并导入", "Validate and import"),
    "import.result": ("{filename}：导入 {imported} 行（其中需核查 {flagged} 行），拒绝 {refused} 行",
                      "{filename}: {imported} rows imported ({flagged} flagged), {refused} refused"),
    "import.line": ("行号", "Row"),
    "import.status": ("状态", "Status"),
    "import.reasons": ("原因", "Reasons"),
    "import.no_file": ("请选择要导入的文件", "Choose a file to import"),
    "import.bad_type": ("仅支持 CSV 或 XLSX 文件", "Only CSV or XLSX files are accepted"),
    "import.unreadable": ("文件无法读取，请检查格式与表头", "The file cannot be read; check its format and headers"),
    # live view
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
    # PTZ (云台控制)
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
    "field.owner": ("所属部门", "Owner"),
    "field.address": ("地址", "Address"),
    "field.type": ("类型", "Type"),
    "field.code": ("设备编码", "Device code"),
    "field.distance": ("距离", "Distance"),
    "field.state": ("状态", "State"),
    "field.share_attr": ("共享属性", "Sharing"),
    "field.retention": ("录像保存", "Recordings kept"),
    "field.your_permissions": ("您的权限", "Your permissions"),
    "field.days": ("{days} 天", "{days} days"),
    "share.0": ("有条件共享", "Shared on approval"),
    "share.1": ("无条件共享", "Shared freely"),
    "share.2": ("不予共享", "Not shared"),
    "perm.1": ("实时", "Live"),
    "perm.2": ("回放", "Playback"),
    "perm.3": ("下载", "Download"),
    "perm.4": ("云台", "PTZ"),
    "perm.5": ("剪辑", "Clip"),
    "perm.none": ("无", "None"),
}


def translate(key: str, locale: str = DEFAULT_LOCALE, **params: object) -> str:
    """Text for `key` in `locale`; unknown keys come back as the key (visible in tests)."""
    pair = MESSAGES.get(key)
    if pair is None:
        return key
    text = pair[1] if locale == "en" else pair[0]
    return text.format(**params) if params else text


def locale_of(connection: ASGIConnection) -> Locale:
    """The user's locale: cookie first, then Accept-Language, then zh-CN."""
    cookie = connection.cookies.get("lang")
    if cookie in LOCALES:
        return cookie  # type: ignore[return-value]
    accept = connection.headers.get("accept-language", "")
    for part in accept.split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh-CN"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LOCALE
