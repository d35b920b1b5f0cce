"""Live-view benchmark (SPEC §6): encoder alone, our pipeline, plain aiortc, tap → frame.

Run: .venv/bin/python bench/live.py [--viewers 48]   (about four minutes; prints figures)

From one run it prints
  (a) the chosen encoder's raw throughput at our settings (640×360, 15 fps, x264
      ultrafast, one thread) on one core, counting only the CPU time inside encode():
      one instance on one viewer's pictures, and N instances round-robin, each on its
      own viewer's pictures — what N viewers need of the encoder, whatever the rest of
      the pipeline does; viewers per core = frames/s / 15. The encoder_ratio is
      measured against the N-instance figure; the one-instance ratio is printed too;
  (b) our pipeline's viewers per core: the sending process (hub + registry + per-viewer
      watermark and encoder + direct RTP/SRTP, or aiortc's media loop with
      --aiortc-loop) is pinned to one core, N viewers (48 by default, about three
      quarters of that core) are real aiortc peers in a second process pinned to the
      other core; each viewer's received frame rate is checked, viewers_per_core =
      N / (sender CPU seconds / wall seconds), with where the CPU goes, the
      glass-to-glass latency and the sender's resident memory per viewer;
  (c) the same for an out-of-the-box aiortc relay (MediaRelay, aiortc's default encoders,
      a Pillow-drawn watermark per viewer per frame, 15 fps source);
  (d) time from creating the offer to the first decoded frame, p50/p95 over 20 trials with
      a warm source — against the real app over HTTP (`bff serve`, sign-in form, POST
      /api/cameras/{id}/live) when it can be started, otherwise through PeerRegistry
      in-process (the output says which).
Each benchmark is a module of bench/livebench/; this file runs them in that order.
The last line is machine-readable:
  live: ttff_p50_s=… ttff_p95_s=… viewers_per_core=… encoder_ratio=… aiortc_ratio=…
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# bench/ itself is on sys.path as this script's directory.
from livebench.common import bench_settings, parse_args  # noqa: E402
from livebench.encoder import EncoderFigures, measure_encoder  # noqa: E402
from livebench.first_frame import measure_first_frame  # noqa: E402
from livebench.harness import best_run, run_pipeline  # noqa: E402
from livebench.pipeline import ours_sender, report_ours  # noqa: E402
from livebench.plain_aiortc import aiortc_sender, report_plain  # noqa: E402


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    settings = bench_settings()
    encoder = EncoderFigures(settings, args.viewers)

    # The machine may be shared and its speed drifts: every measurement runs twice,
    # interleaved, and each keeps its best run (for the encoder alone that is the
    # strictest yardstick for our pipeline).
    ours_runs, plain_runs = [], []
    for _ in range(2):
        encoder.one_runs.append(measure_encoder())
        ours_runs.append(run_pipeline(ours_sender, args.viewers, args.window))
        plain_runs.append(run_pipeline(aiortc_sender, args.aiortc_viewers, args.window))
        encoder.many_runs.append(measure_encoder(instances=args.viewers))
    ours, plain = best_run(ours_runs), best_run(plain_runs)

    encoder.report()
    report_ours(ours, args.viewers, encoder, args.aiortc_loop)
    report_plain(plain, args.aiortc_viewers, settings.fps)
    p50, p95 = measure_first_frame(args.trials, args.in_process_ttff)

    vpc = ours["viewers_per_core"]
    print(f"live: ttff_p50_s={p50:.3f} ttff_p95_s={p95:.3f} viewers_per_core={vpc:.1f} "
          f"encoder_ratio={vpc / encoder.many_vpc:.2f} "
          f"aiortc_ratio={vpc / plain['viewers_per_core']:.2f}")


if __name__ == "__main__":
    main()
