"""`workstation emulator`: run the platform emulator on loopback, or list its seeded accounts.

    workstation emulator [--port P] [--seed N] [--chaos RATE] [--buyers-per-minute N]
    workstation emulator accounts --port P --json

`start_emulator_in_thread()` runs the same server in a background thread (the demo,
end-to-end tests, the benchmark).
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import json
import logging
import socket
import sys
import threading
from typing import Any, Callable

import httpx

log = logging.getLogger(__name__)

DEFAULT_PORT = 8765


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", nargs="?", choices=("serve", "accounts"), default="serve",
                        help="serve：启动模拟器（默认）；accounts：列出正在运行的模拟器里的演示店铺账号")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"监听端口（127.0.0.1，默认 {DEFAULT_PORT}；0 = 任一空闲端口）")
    parser.add_argument("--seed", type=int, default=1, help="随机种子：同一种子生成同样的店铺、订单和买家")
    parser.add_argument("--chaos", type=float, default=0.0, metavar="RATE",
                        help="故障率 0–1：断线、重复/乱序/延迟推送、5xx、429、损坏的 JSON、处理了却丢掉的回复")
    parser.add_argument("--buyers-per-minute", type=float, default=6.0, metavar="N", help="每分钟新来的买家数（所有店铺合计）")
    parser.add_argument("--shops-per-platform", type=int, default=2, metavar="N", help="每个平台的店铺数（默认 2）")
    parser.add_argument("--json", action="store_true", help="accounts：每行输出一个 JSON 对象")


def run(args: argparse.Namespace) -> int:
    if args.action == "accounts":
        return _print_accounts(args.port, as_json=args.json)
    return _serve(args)


def _print_accounts(port: int, *, as_json: bool) -> int:
    url = f"http://127.0.0.1:{port}/emulator/accounts"
    try:
        response = httpx.get(url, timeout=5)
        response.raise_for_status()
        accounts = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        print(f"无法从 {url} 读取账号：端口 {port} 上没有正在运行的模拟器？（{type(exc).__name__}）", file=sys.stderr)
        return 1
    for account in accounts:
        if as_json:
            print(json.dumps(account, ensure_ascii=False))
        else:
            print(f"{account['platform']:<9} {account['shop_id']:<10} {account['shop_name']:<12} "
                  f"登录 {account['login']} / {account['password']}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from workstation.shops.emulator import create_app

    if not 0.0 <= args.chaos <= 1.0:
        print("--chaos 应在 0 到 1 之间", file=sys.stderr)
        return 2
    app = create_app(seed=args.seed, chaos=args.chaos, buyers_per_minute=args.buyers_per_minute,
                     shops_per_platform=args.shops_per_platform, realtime=True)
    try:
        sock = _bind(args.port)
    except OSError as exc:
        print(f"无法监听 127.0.0.1:{args.port}：{exc.strerror or exc}", file=sys.stderr)
        return 1
    port = sock.getsockname()[1]
    print(f"平台模拟器已启动：http://127.0.0.1:{port}（种子 {args.seed}，故障率 {args.chaos}）。"
          f"账号列表：workstation emulator accounts --port {port} --json", flush=True)
    config = uvicorn.Config(app, log_level="warning", ws="wsproto", lifespan="on")
    uvicorn.Server(config).run(sockets=[sock])
    return 0


def _bind(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


class EmulatorHandle:
    """A running emulator in a background thread: `.base_url`, `.accounts()`, `.call(fn)`, `.stop()`."""

    def __init__(self, app, server, thread: threading.Thread, loop: asyncio.AbstractEventLoop, port: int):
        self.app = app
        self.world = app.state.emulator
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self._server = server
        self._thread = thread
        self._loop = loop

    def accounts(self) -> list[dict]:
        response = httpx.get(f"{self.base_url}/emulator/accounts", timeout=10)
        response.raise_for_status()
        return response.json()

    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run `fn` on the emulator's own loop (the world is not thread-safe) and return its result."""
        future: concurrent.futures.Future = concurrent.futures.Future()

        def invoke() -> None:
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as exc:  # handed to the caller's thread
                future.set_exception(exc)

        self._loop.call_soon_threadsafe(invoke)
        return future.result(timeout=10)

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)

    def __enter__(self) -> "EmulatorHandle":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_emulator_in_thread(seed: int = 1, port: int = 0, *, chaos: float = 0.0, buyers_per_minute: float = 6.0,
                             shops_per_platform: int = 2, realtime: bool = True) -> EmulatorHandle:
    """Start uvicorn on 127.0.0.1 (a free port when `port` is 0) in a daemon thread; returns once it listens."""
    import uvicorn

    from workstation.shops.emulator import create_app

    app = create_app(seed=seed, chaos=chaos, buyers_per_minute=buyers_per_minute,
                     shops_per_platform=shops_per_platform, realtime=realtime)
    sock = _bind(port)
    actual_port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", ws="wsproto", lifespan="on")
    server = uvicorn.Server(config)
    server.install_signal_handlers = lambda: None  # not the main thread
    loop = asyncio.new_event_loop()
    started = threading.Event()
    failure: list[BaseException] = []

    def serve() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(_serve_until_exit(server, sock, started))
        except BaseException as exc:  # reported to the starting thread
            failure.append(exc)
            started.set()
        finally:
            loop.close()
            sock.close()

    thread = threading.Thread(target=serve, name=f"emulator-{actual_port}", daemon=True)
    thread.start()
    if not started.wait(15) or failure:
        server.should_exit = True
        raise RuntimeError(f"平台模拟器未能启动：{failure[0] if failure else '超时'}")
    return EmulatorHandle(app, server, thread, loop, actual_port)


async def _serve_until_exit(server, sock: socket.socket, started: threading.Event) -> None:
    task = asyncio.ensure_future(server.serve(sockets=[sock]))
    while not server.started and not task.done():
        await asyncio.sleep(0.02)
    started.set()
    await task
