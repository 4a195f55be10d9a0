"""What to do with the next webhook delivery: send, duplicate, delay, hold (out of order) or drop."""
import random
import threading
from dataclasses import dataclass

ACTIONS = ("duplicate", "delay", "hold", "drop")


@dataclass
class Rule:
    """Apply `action` to the next `remaining` deliveries of `topic` ("*" for any) to `shop` (None for any)."""
    action: str
    topic: str = "*"
    shop: str | None = None
    remaining: int = 1
    seconds: float = 0.0

    def matches(self, topic: str, shop: str) -> bool:
        return self.remaining > 0 and self.topic in ("*", topic) and self.shop in (None, shop)


@dataclass(frozen=True)
class Decision:
    action: str
    seconds: float = 0.0
    auto_release: bool = False


SEND = Decision("send")


class DeliveryRules:
    """Explicit one-off rules first, then seeded probabilistic chaos; thread-safe."""

    def __init__(self):
        self._lock = threading.Lock()
        self.rules: list[Rule] = []
        self.chaos: dict | None = None
        self._rng = random.Random(0)

    def add(self, action: str, *, topic: str = "*", shop: str | None = None, count: int = 1,
            seconds: float = 0.0) -> Rule:
        if action not in ACTIONS:
            raise ValueError(f"unknown delivery action {action!r}; use one of {', '.join(ACTIONS)}")
        rule = Rule(action, topic, shop, int(count), float(seconds))
        with self._lock:
            self.rules.append(rule)
        return rule

    def set_chaos(self, *, duplicate: float = 0.0, reorder: float = 0.0, drop: float = 0.0, delay: float = 0.0,
                  max_delay: float = 1.0, seed: int = 0) -> None:
        """Probabilities per delivery (they must sum to at most 1); reordered ones wait for the next send."""
        odds = {"duplicate": duplicate, "reorder": reorder, "drop": drop, "delay": delay}
        if any(p < 0 for p in odds.values()) or sum(odds.values()) > 1:
            raise ValueError("chaos probabilities must be non-negative and sum to at most 1")
        with self._lock:
            self.chaos = {**odds, "max_delay": float(max_delay), "seed": seed}
            self._rng = random.Random(seed)

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()
            self.chaos = None

    def decide(self, topic: str, shop: str) -> Decision:
        with self._lock:
            for rule in self.rules:
                if rule.matches(topic, shop):
                    rule.remaining -= 1
                    return Decision(rule.action, rule.seconds)
            self.rules = [rule for rule in self.rules if rule.remaining > 0]
            return self._roll() if self.chaos else SEND

    def _roll(self) -> Decision:
        draw, edge = self._rng.random(), 0.0
        for action in ("duplicate", "reorder", "drop", "delay"):
            edge += self.chaos[action]
            if draw < edge:
                if action == "reorder":
                    return Decision("hold", auto_release=True)
                if action == "delay":
                    return Decision("delay", self._rng.uniform(0, self.chaos["max_delay"]))
                return Decision(action)
        return SEND

    def describe(self) -> dict:
        with self._lock:
            return {"rules": [vars(rule).copy() for rule in self.rules], "chaos": self.chaos}
