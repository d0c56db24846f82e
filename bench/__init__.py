"""The benchmark suite (`make bench`): quotes, explained quotes, settlement and load time; see bench/run.py."""

from __future__ import annotations
