"""The embedded demo platform: a synthetic Shanwei catalogue, live video, recordings,
playback and PTZ, so the whole app runs on a fresh machine with no external system.

Production packages never import this package; only the platform factory names it
(`bff.platform_factory`), and the demo registers its own media opener and seeding hook.
"""
