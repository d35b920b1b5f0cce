"""Media plumbing shared by the stream hub and the platforms' sources: opening media URLs
by scheme and drawing primitives on YUV frames."""
