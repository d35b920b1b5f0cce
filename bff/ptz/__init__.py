"""Pan/tilt/zoom control of cameras from the live page (云台控制)."""
