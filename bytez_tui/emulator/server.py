"""`EmulatorServer`: the emulator app served by uvicorn on loopback in a daemon thread."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType
from typing import Any

import uvicorn

from bytez_tui.clock import Clock, SystemClock
from bytez_tui.emulator.app import AppState, create_app
from bytez_tui.emulator.faults import Faults
from bytez_tui.emulator.traffic import LoggedRequest, Traffic
from bytez_tui.emulator.world import World

__all__ = ["EmulatorServer", "create_app"]


class EmulatorServer:
    """A real HTTP server speaking the Bytez API (v1, v2 or both), for tests and the demo.

    One server can serve a whole test session: `reset` swaps in a fresh world and clears
    faults and the request log. Fault switches, the request log and disconnect detection
    are reachable directly on the server (`fail_next`, `count`, `wait_for_disconnect` …).

    Args:
        world: The initial world (a default `World(SystemClock())` when `None`).
        host: Interface to bind.
        port: Port to bind; 0 picks a free one (read it back from `url` or `port`).
        api: The route families to serve over the one world: `"v1"` (`/model/*`),
            `"v2"` (`/models/v2/*`) or `"both"`.
    """

    def __init__(
        self,
        world: World | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api: str = "both",
    ) -> None:
        self.host = host
        self.api = api
        self.faults = Faults()
        self.traffic = Traffic()
        world = world or World(SystemClock())
        self.app = create_app(world, self.faults, self.traffic, api=api)
        self._requested_port = port
        self._socket: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------

    def start(self, timeout: float = 10.0) -> EmulatorServer:
        """Bind, start serving in a daemon thread, and return once it accepts connections.

        Raises:
            RuntimeError: If the server is already running or did not start in `timeout`.
            OSError: If the address cannot be bound.
        """
        if self._thread is not None:
            raise RuntimeError("emulator already started")
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self._requested_port))
        except OSError:
            sock.close()
            raise
        config = uvicorn.Config(
            self.app,
            lifespan="off",
            http="h11",
            ws="none",
            loop="asyncio",
            log_config=None,
            access_log=False,
            server_header=False,
            date_header=False,
            timeout_graceful_shutdown=1,
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="bytez-emulator", daemon=True
        )
        self._socket, self._server, self._thread = sock, server, thread
        self._state.closing.clear()
        thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("emulator failed to start")
            time.sleep(0.005)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Ask uvicorn to exit, wait for the thread, and close the socket (idempotent)."""
        if self._server is not None:
            self._state.closing.set()
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        if self._socket is not None:
            self._socket.close()
        self._socket = self._server = self._thread = None

    def serve_forever(self) -> None:
        """Block until the server thread ends (e.g. after `stop` from a signal handler)."""
        while self._thread is not None and self._thread.is_alive():
            self._thread.join(0.2)

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- state ----------------------------------------------------------------------------

    @property
    def _state(self) -> AppState:
        state: AppState = self.app.state.emulator
        return state

    @property
    def world(self) -> World:
        """The world currently served."""
        return self._state.world

    @property
    def port(self) -> int:
        """The bound port (after `start`)."""
        if self._socket is None:
            raise RuntimeError("emulator not started")
        port: int = self._socket.getsockname()[1]
        return port

    @property
    def url(self) -> str:
        """The base URL, e.g. `http://127.0.0.1:54321`."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def reset(self, clock: Clock | None = None, **world_options: Any) -> World:
        """Serve a fresh `World(clock, **world_options)`; clear faults and the request log.

        Args:
            clock: The new world's clock (`SystemClock()` when `None`).
            **world_options: Keyword options of `World`.

        Returns:
            The new world.
        """
        world = World(clock or SystemClock(), **world_options)
        self._state.world = world
        self.faults.clear()
        self.traffic.clear()
        return world

    # -- faults (see `Faults`) ------------------------------------------------------------

    def fail_next(
        self,
        endpoint: str,
        status: int = 500,
        *,
        count: int = 1,
        retry_after: float | str | None = None,
        body: str | bytes | None = None,
        html: bool = False,
        ratelimit_reset: float | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Make the next `count` requests to `endpoint` answer `status`; see `Faults`."""
        self.faults.fail_next(
            endpoint,
            status,
            count=count,
            retry_after=retry_after,
            body=body,
            html=html,
            ratelimit_reset=ratelimit_reset,
            headers=headers,
        )

    def malformed_next(self, endpoint: str, count: int = 1, *, body: str = '{"model": ') -> None:
        """Make the next `count` answers from `endpoint` 200 with a broken body."""
        self.faults.malformed_next(endpoint, count, body=body)

    def slow(self, endpoint: str, seconds: float | None) -> None:
        """Delay answers from `endpoint` by real `seconds` (`None` or 0 clears)."""
        self.faults.slow(endpoint, seconds)

    def drip(self, endpoint: str, interval: float | None) -> None:
        """Send answers from `endpoint` one byte per `interval` real seconds (`None` clears)."""
        self.faults.drip(endpoint, interval)

    def endless_next(self, endpoint: str, count: int = 1) -> None:
        """Make the next `count` answers from `endpoint` a JSON array that never ends."""
        self.faults.endless_next(endpoint, count)

    def cut_stream_after(self, n_fragments: int, *, model: str | None = None) -> None:
        """Drop the connection of the next stream (of `model`) after `n_fragments`."""
        self.faults.cut_stream_after(n_fragments, model=model)

    def error_fragment_after(
        self, n_fragments: int, text: str = "Error: CUDA out of memory", *, model: str | None = None
    ) -> None:
        """End the next stream (of `model`) with `text` as a final fragment after
        `n_fragments`."""
        self.faults.error_fragment_after(n_fragments, text, model=model)

    def stall_stream_after(self, n_fragments: int, *, model: str | None = None) -> None:
        """Hold the next stream (of `model`) open and silent after `n_fragments`, until
        the client hangs up."""
        self.faults.stall_stream_after(n_fragments, model=model)

    def clusters_gone(self, status: int | None = 404) -> None:
        """Make v2's cluster routes answer `status` until cleared; see `Faults`."""
        self.faults.clusters_gone(status)

    def clear_faults(self) -> None:
        """Disarm every fault."""
        self.faults.clear()

    # -- traffic (see `Traffic`) ----------------------------------------------------------

    @property
    def requests(self) -> list[LoggedRequest]:
        """Every request since the last `reset`, oldest first."""
        return self.traffic.requests

    def count(self, endpoint: str | None = None, *, model: str | None = None) -> int:
        """Count requests since the last `reset` (to `endpoint`, about `model`)."""
        return self.traffic.count(endpoint, model=model)

    @property
    def disconnects(self) -> int:
        """Clients that closed the connection mid-stream since the last `reset`."""
        return self.traffic.disconnects

    def wait_for_disconnect(self, timeout: float = 5.0) -> bool:
        """Block until a client has closed a stream early; return whether one did."""
        return self.traffic.wait_for_disconnect(timeout)
