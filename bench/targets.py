"""What a scenario drives: Préau (scaled or embedded, one or two processes) or the plain server."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .infra import Deployment, PlainServer, Processes, Redis, Server, rss_bytes


@dataclass
class Target:
    name: str
    kind: str  # "plain" | "preau"
    servers: list[Any] = field(default_factory=list)
    deployment: Deployment | None = None
    redis: Redis | None = None

    def spec(self, i: int, member: list, room: int) -> dict[str, Any]:
        """The connection spec of member ``i`` (user id, token) of ``room``."""
        server = self.servers[i % len(self.servers)]
        user_id, token = member
        if self.kind == "plain":
            return {"url": server.url(), "query": f"room={room}&user={user_id}", "room": room}
        return {"url": server.url(), "token": token, "room": room, "user": user_id}

    def rest_pool(self, members: list[list], room: int, server: int = 0) -> list[dict[str, Any]]:
        port = self.servers[server].port
        return [{"port": port, "token": token, "room": room} for _uid, token in members]

    @property
    def server_pids(self) -> list[int]:
        return [s.pid for s in self.servers if s.proc is not None]

    def cpu_groups(self, load_pids: list[int]) -> dict[str, list[int]]:
        groups = {"server": self.server_pids, "client": load_pids}
        if self.kind == "preau" and self.redis is not None and self.deployment.mode == "scaled":
            groups["redis"] = [self.redis.proc.pid]
        return groups

    def rss(self) -> int:
        return sum(rss_bytes(p) for p in self.server_pids)

    def stop(self) -> None:
        for s in self.servers:
            s.stop()
        self.servers.clear()
        if self.deployment is not None:
            self.deployment.servers.clear()


def plain(procs: Processes, cpus: str | None) -> Target:
    server = PlainServer(procs, cpus)
    server.start()
    return Target(name="plain websockets", kind="plain", servers=[server])


def preau(
    deployment: Deployment,
    redis: Redis | None,
    n: int = 1,
    cpus: list[str | None] | None = None,
    server: str = "default",
) -> Target:
    cpus = cpus or [None] * n
    servers: list[Server] = [deployment.start_server(cpus=cpus[i], server=server) for i in range(n)]
    label = f"Préau {deployment.mode}" + (f" ×{n}" if n > 1 else "")
    if server != "default":
        label += f" ({server})"
    return Target(name=label, kind="preau", servers=servers, deployment=deployment, redis=redis)
