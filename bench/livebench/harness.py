"""The two-process harness shared by the relay benchmarks (our pipeline, plain aiortc):
a sending process pinned to one core answers control calls, a receiving process pinned to
the other holds N real aiortc peers that decode what they get; the sender's CPU time over
a measured window gives viewers per core, the receivers' frame counts check that every
viewer got the full frame rate."""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing as mp
import os
import statistics
import time
from collections.abc import Awaitable, Callable

from bench.app_process import pin

from .common import RECEIVER_CORE, WARMUP_S

Handler = Callable[[dict], Awaitable[dict]]


# --- control channel between the sender and the receivers -----------------------------------

async def _control_server(handle: Handler) -> tuple[asyncio.AbstractServer, int]:
    async def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while line := await reader.readline():
            request = json.loads(line)
            try:
                reply = await handle(request)
            except Exception as exc:  # noqa: BLE001 - reported to the other side
                reply = {"error": repr(exc)}
            writer.write(json.dumps(reply).encode() + b"\n")
            await writer.drain()
            if request.get("cmd") == "quit":
                break
        writer.close()

    server = await asyncio.start_server(on_client, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


class Control:
    """The receivers' side of the control channel."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader, self._writer = reader, writer
        self._lock = asyncio.Lock()

    @classmethod
    async def connect(cls, port: int) -> Control:
        return cls(*await asyncio.open_connection("127.0.0.1", port))

    async def call(self, **request: object) -> dict:
        async with self._lock:
            self._writer.write(json.dumps(request).encode() + b"\n")
            await self._writer.drain()
            return json.loads(await self._reader.readline())


# --- the sender's CPU accounting ---------------------------------------------------------------

def _thread_cpu() -> dict[str, float]:
    """CPU seconds per thread kind of this process: the event loop's thread and the rest
    (encoder threads, aiortc's decoder threads, the media reader)."""
    ticks = os.sysconf("SC_CLK_TCK")
    main_tid = os.getpid()
    totals = {"loop": 0.0, "threads": 0.0}
    with contextlib.suppress(OSError):
        for tid in os.listdir("/proc/self/task"):
            with contextlib.suppress(OSError), open(f"/proc/self/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            used = (int(fields[11]) + int(fields[12])) / ticks
            totals["loop" if int(tid) == main_tid else "threads"] += used
    return totals


def _cpu_handlers(extra: Handler) -> tuple[Handler, asyncio.Event]:
    marks: dict[str, float] = {}
    done = asyncio.Event()

    async def handle(request: dict) -> dict:
        cmd = request["cmd"]
        if cmd == "cpu_start":
            times = os.times()
            marks.update(cpu=time.process_time(), wall=time.monotonic(), user=times.user,
                         system=times.system, **_thread_cpu())
            return {}
        if cmd == "cpu_stop":
            times, threads = os.times(), _thread_cpu()
            return {"cpu": time.process_time() - marks["cpu"],
                    "wall": time.monotonic() - marks["wall"],
                    "user": times.user - marks["user"], "system": times.system - marks["system"],
                    "loop_cpu": threads["loop"] - marks["loop"],
                    "threads_cpu": threads["threads"] - marks["threads"]}
        if cmd == "quit":
            done.set()
            return {}
        return await extra(request)

    return handle, done


async def serve_until_quit(extra: Handler, port_queue: mp.Queue) -> None:
    """Answer the receivers' control calls (CPU marks, `extra` commands) until "quit"."""
    handle, done = _cpu_handlers(extra)
    server, port = await _control_server(handle)
    port_queue.put(port)
    await done.wait()
    server.close()


# --- the receiving process (real aiortc peers, decoding) -------------------------------------

def receivers(port: int, count: int, window_s: float, result: mp.Queue) -> None:
    pin(RECEIVER_CORE)

    async def run() -> dict:
        from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

        from .glass import GlassToGlass

        control = await Control.connect(port)
        frames = [0] * count
        glass = GlassToGlass()
        peers = []
        everyone = asyncio.Event()
        started = [0]

        def consume(i: int, track) -> None:  # noqa: ANN001
            async def read() -> None:
                with contextlib.suppress(Exception):
                    while True:
                        frame = await track.recv()
                        frames[i] += 1
                        if frames[i] == 1:
                            started[0] += 1
                            if started[0] == count:
                                everyone.set()
                        glass.sample(i, frames[i], frame)
            asyncio.ensure_future(read())

        codecs = set()
        for i in range(count):
            pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
            peers.append(pc)
            pc.addTransceiver("video", direction="recvonly")
            pc.on("track", lambda track, i=i: consume(i, track))
            await pc.setLocalDescription(await pc.createOffer())
            answer = await control.call(cmd="open", i=i, sdp=pc.localDescription.sdp)
            if "error" in answer:
                raise RuntimeError(answer["error"])
            codecs.add(answer["codec"])
            await pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], answer["type"]))
        await asyncio.wait_for(everyone.wait(), timeout=30)
        await asyncio.sleep(WARMUP_S)
        before = list(frames)
        stats_before = await control.call(cmd="stats")
        own_cpu = time.process_time()
        await control.call(cmd="cpu_start")
        await asyncio.sleep(window_s)
        cpu = await control.call(cmd="cpu_stop")
        own_cpu = time.process_time() - own_cpu
        stats_after = await control.call(cmd="stats")
        after = list(frames)
        rates = [(a - b) / cpu["wall"] for a, b in zip(after, before)]
        await control.call(cmd="quit")
        for pc in peers:
            await pc.close()
        return {**cpu, "rates": rates, "codecs": sorted(codecs),
                "receiver_load": own_cpu / cpu["wall"],
                "source_fps": (stats_after.get("decoded_frames", 0)
                               - stats_before.get("decoded_frames", 0)) / cpu["wall"],
                "encoding_ms": (stats_after.get("encoding_ns", 0)
                                - stats_before.get("encoding_ns", 0)) / 1e6
                / max(1, stats_after.get("encoded_frames", 0)
                      - stats_before.get("encoded_frames", 0)),
                "latency_median_s": glass.median(),
                "rss_per_viewer": (stats_after.get("rss", 0) - stats_after.get("idle_rss", 0))
                / count}

    result.put(asyncio.run(run()))


def run_pipeline(sender_target: Callable[[mp.Queue], None], count: int,
                 window_s: float) -> dict:
    """One measured run: `sender_target(port_queue)` in one process, `count` receiving
    peers in another; the sender's load and viewers per core added to the outcome."""
    ctx = mp.get_context("spawn")
    port_queue, result = ctx.Queue(), ctx.Queue()
    sender = ctx.Process(target=sender_target, args=(port_queue,), daemon=True)
    sender.start()
    port = port_queue.get(timeout=60)
    receiver = ctx.Process(target=receivers, args=(port, count, window_s, result), daemon=True)
    receiver.start()
    try:
        outcome = result.get(timeout=window_s + 120)
    finally:
        receiver.join(timeout=20)
        sender.join(timeout=20)
        for process in (receiver, sender):
            if process.is_alive():
                process.kill()
    load = outcome["cpu"] / outcome["wall"]
    outcome["load"] = load
    outcome["viewers_per_core"] = count / load if load else float("inf")
    return outcome


def best_run(runs: list[dict]) -> dict:
    """The run with the most viewers per core, remembering every run's figure."""
    best = max(runs, key=lambda run: run["viewers_per_core"])
    best["all_runs"] = [run["viewers_per_core"] for run in runs]
    return best


def report_relay(label: str, outcome: dict, count: int, fps: int) -> float:
    """Print one relay's figures; returns its CPU milliseconds per viewer-frame."""
    rates = outcome["rates"]
    per_frame_ms = outcome["cpu"] / (sum(rates) * outcome["wall"]) * 1000
    print(f"{label}: {count} viewers ({'/'.join(outcome['codecs'])}), sender "
          f"{outcome['load'] * 100:.1f}% of one core (user {outcome['user']:.2f}s, system "
          f"{outcome['system']:.2f}s; receivers {outcome['receiver_load'] * 100:.0f}% of "
          f"the other core), received fps min {min(rates):.1f} median "
          f"{statistics.median(rates):.1f}, {per_frame_ms:.2f} ms CPU per viewer-frame "
          f"-> {outcome['viewers_per_core']:.1f} viewers/core (runs: "
          f"{', '.join(f'{r:.1f}' for r in outcome['all_runs'])})")
    if min(rates) < fps * 0.9:
        print(f"    warning: a viewer got under {fps * 0.9:.1f} fps: the sender was "
              "saturated or the machine busy; this figure is unreliable")
    return per_frame_ms
