"""Web Push API (the VAPID key, my devices' subscriptions) and the notification settings
page (通知设置)."""

from __future__ import annotations

from litestar import Controller, Request, Response, delete, get, post
from litestar.response import Template
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from bff.auth.schemas import SignedInUser
from bff.lib.settings import Settings
from bff.push.schemas import PushKey, SubscriptionItem, SubscriptionRequest
from bff.push.services import PushService

SETTINGS_PAGE = "/settings/notifications"


class PushController(Controller):
    """浏览器推送: the key browsers subscribe with and the signed-in user's devices."""

    path = "/api/push"

    @get("/key", name="push:key")
    async def key(self, push_service: PushService) -> PushKey:
        """The VAPID public key (`applicationServerKey`), base64url."""
        return PushKey(public_key=push_service.public_key)

    @post("/subscriptions", name="push:subscribe", status_code=HTTP_201_CREATED)
    async def subscribe(self, request: Request, data: SubscriptionRequest,
                        current_user: SignedInUser,
                        push_service: PushService) -> SubscriptionItem:
        """Keep this device's PushSubscription (the browser's JSON). 422 when the endpoint
        is not https on an allowed push service or the keys are unusable."""
        return await push_service.subscribe(current_user, data,
                                            request.headers.get("user-agent"))

    @get("/subscriptions", name="push:list")
    async def list_subscriptions(self, current_user: SignedInUser,
                                 push_service: PushService) -> list[SubscriptionItem]:
        """My subscribed devices, newest first."""
        return await push_service.list_for(current_user)

    @delete("/subscriptions/{subscription_id:int}", name="push:remove",
            status_code=HTTP_200_OK)
    async def remove(self, request: Request, subscription_id: int,
                     current_user: SignedInUser, push_service: PushService,
                     settings: Settings) -> Response[None] | Template:
        """Forget one of my devices (404 for anyone else's). From the settings page (htmx)
        the answer is the refreshed device list."""
        await push_service.remove(current_user, subscription_id)
        if request.htmx:  # type: ignore[attr-defined]
            return await _devices(current_user, push_service, settings)
        return Response(None, status_code=HTTP_204_NO_CONTENT)


class NotificationSettingsController(Controller):
    """通知设置: turn notifications on for this device, see and remove my devices."""

    @get(SETTINGS_PAGE, name="push:settings-page")
    async def page(self, request: Request, current_user: SignedInUser,
                   push_service: PushService, settings: Settings) -> Template:
        """The page (or, for htmx, the device list alone). Nothing here asks for
        permission: only the button does, when tapped."""
        if request.htmx:  # type: ignore[attr-defined]
            return await _devices(current_user, push_service, settings)
        return Template("pages/push/notifications.html", context={
            "user": current_user, "devices": await push_service.list_for(current_user),
            "public_key": push_service.public_key, "tz": settings.webrtc.tzinfo()})


async def _devices(user: SignedInUser, push_service: PushService,
                   settings: Settings) -> Template:
    # Times in the city's zone (the one the video watermark uses), whatever the server's.
    return Template("partials/push/_devices.html",
                    context={"user": user, "devices": await push_service.list_for(user),
                             "tz": settings.webrtc.tzinfo()})
