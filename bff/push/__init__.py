"""Web Push (浏览器推送): VAPID keys, the devices' subscriptions and the sender.

Reusable by anything that notifies phones (alerts today, share requests later): callers
hand `PushSender` a small payload and the subscriptions to reach; this package knows
nothing of what the payload means.
"""
