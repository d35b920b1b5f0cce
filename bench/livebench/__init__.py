"""The parts of `bench/live.py`, one module per benchmark: `encoder` (x264 alone),
`pipeline` (our watermarked pipeline), `plain_aiortc` (an out-of-the-box aiortc relay),
`first_frame` (offer → first decoded frame), `glass` (glass-to-glass latency); `common`
and `harness` hold what they share."""
